-- Tables in two schemas other than public, joined by declared foreign
-- keys across the schemas, one join left undeclared and one name that
-- looks like a join but whose types differ.
CREATE SCHEMA crm;
CREATE SCHEMA shop;

CREATE TABLE crm.customers (
    id      bigint PRIMARY KEY,
    name    text NOT NULL,
    country text NOT NULL
);
COMMENT ON TABLE crm.customers IS 'People and companies who buy from the shop.';

CREATE TABLE shop.products (
    id    bigint PRIMARY KEY,
    title text NOT NULL,
    price numeric(10,2) NOT NULL
);

CREATE TABLE shop.coupons (
    id   bigint PRIMARY KEY,
    code text NOT NULL
);

CREATE TABLE shop.orders (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES crm.customers (id),
    placed_on   date NOT NULL
);
COMMENT ON TABLE shop.orders IS 'Orders placed by customers.';

CREATE TABLE shop.order_items (
    order_id   bigint NOT NULL REFERENCES shop.orders (id),
    line       integer NOT NULL,
    product_id bigint NOT NULL,
    coupon_id  integer,
    quantity   integer NOT NULL,
    PRIMARY KEY (order_id, line)
);

CREATE TABLE shop.shipments (
    order_id bigint NOT NULL,
    line     integer NOT NULL,
    shipped_on date,
    FOREIGN KEY (order_id, line) REFERENCES shop.order_items (order_id, line)
);

INSERT INTO crm.customers VALUES (1, 'Ada', 'DE'), (2, 'Bo', 'US');
INSERT INTO shop.products VALUES (1, 'Lamp', 19.90), (2, 'Desk', 240.00);
INSERT INTO shop.orders VALUES (10, 1, '2026-03-01'), (11, 2, '2026-03-02');
INSERT INTO shop.order_items VALUES (10, 1, 1, NULL, 2), (11, 1, 2, NULL, 1);

GRANT USAGE ON SCHEMA crm, shop TO {{readonly}};
GRANT SELECT ON ALL TABLES IN SCHEMA crm, shop TO {{readonly}};
