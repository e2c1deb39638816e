-- The demo's product-analytics schema: the customer accounts of a B2B
-- SaaS product, their users, plans, subscriptions, invoices and usage
-- events, joined by declared foreign keys.
CREATE TABLE IF NOT EXISTS public.plans (
    id                smallint      PRIMARY KEY,
    name              text          NOT NULL UNIQUE,
    monthly_price_usd numeric(8,2)  NOT NULL,
    seats             integer
);
COMMENT ON TABLE public.plans IS 'Price plans a subscription can be on.';
COMMENT ON COLUMN public.plans.name IS 'Plan name: free, starter, pro or enterprise.';
COMMENT ON COLUMN public.plans.monthly_price_usd IS 'List price per month in US dollars (0 for free).';
COMMENT ON COLUMN public.plans.seats IS 'Users included in the plan; NULL means unlimited.';

CREATE TABLE IF NOT EXISTS public.accounts (
    id         integer PRIMARY KEY,
    name       text    NOT NULL,
    country    text    NOT NULL,
    industry   text    NOT NULL,
    created_on date    NOT NULL
);
COMMENT ON TABLE public.accounts IS 'Customer companies (accounts) of the product.';
COMMENT ON COLUMN public.accounts.country IS 'Country of the account''s headquarters, ISO 3166-1 alpha-2 code.';
COMMENT ON COLUMN public.accounts.industry IS 'Industry: software, retail, finance, healthcare, education or media.';
COMMENT ON COLUMN public.accounts.created_on IS 'Day the account signed up.';

CREATE TABLE IF NOT EXISTS public.users (
    id           integer PRIMARY KEY,
    account_id   integer NOT NULL REFERENCES public.accounts (id),
    email        text    NOT NULL UNIQUE,
    role         text    NOT NULL,
    signed_up_on date    NOT NULL,
    last_seen_on date
);
COMMENT ON TABLE public.users IS 'People who log in to the product; each belongs to one account.';
COMMENT ON COLUMN public.users.role IS 'Role in the account: admin, member or viewer.';
COMMENT ON COLUMN public.users.last_seen_on IS 'Last day the user was active; NULL if never active after signing up.';

CREATE TABLE IF NOT EXISTS public.subscriptions (
    id         integer  PRIMARY KEY,
    account_id integer  NOT NULL REFERENCES public.accounts (id),
    plan_id    smallint NOT NULL REFERENCES public.plans (id),
    status     text     NOT NULL,
    started_on date     NOT NULL,
    ended_on   date
);
COMMENT ON TABLE public.subscriptions IS 'An account''s subscription to a plan over a period; an account that changed plan has several.';
COMMENT ON COLUMN public.subscriptions.status IS 'active, cancelled (ended by the customer) or upgraded (replaced by a higher plan).';
COMMENT ON COLUMN public.subscriptions.ended_on IS 'Last day of the subscription; NULL while active.';

CREATE TABLE IF NOT EXISTS public.invoices (
    id              integer       PRIMARY KEY,
    subscription_id integer       NOT NULL REFERENCES public.subscriptions (id),
    issued_on       date          NOT NULL,
    amount_usd      numeric(10,2) NOT NULL,
    status          text          NOT NULL
);
COMMENT ON TABLE public.invoices IS 'Monthly invoices of paid subscriptions.';
COMMENT ON COLUMN public.invoices.amount_usd IS 'Invoiced amount in US dollars, after discounts.';
COMMENT ON COLUMN public.invoices.status IS 'paid, open (not yet paid) or void (cancelled, never to be paid).';

CREATE TABLE IF NOT EXISTS public.events (
    id          bigint      PRIMARY KEY,
    user_id     integer     NOT NULL REFERENCES public.users (id),
    occurred_at timestamptz NOT NULL,
    name        text        NOT NULL,
    platform    text        NOT NULL
);
COMMENT ON TABLE public.events IS 'Product usage events: one row per action a user took.';
COMMENT ON COLUMN public.events.name IS 'Event: login, create_report, share_report, export_csv or invite_user.';
COMMENT ON COLUMN public.events.platform IS 'Client platform: ios, android or web.';
CREATE INDEX IF NOT EXISTS events_user_id_idx ON public.events (user_id);
