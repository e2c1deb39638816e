package readonly

import (
	"errors"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Gate is the statement gate in front of the database: it parses the SQL
// with PostgreSQL's own parser (libpg_query) and lets through only one
// plain query. It is the second of three layers; the first is what the
// role may execute (migrate revokes the dangerous functions where it may)
// and the third is the read-only transaction with the session reset.
//
// Accepted: a single SELECT, WITH … SELECT, VALUES, TABLE, or EXPLAIN of
// one. Refused: any other statement anywhere in the tree (a DELETE inside
// a CTE, DO, SET, PREPARE, COPY, …), SELECT INTO, FOR UPDATE/SHARE, and
// calls to the functions of Denied, schema-qualified or not, however deep.
func Gate(sql string) error {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		var pe *pgparser.Error
		if errors.As(err, &pe) {
			return &SQLError{Code: "42601", Message: pe.Message, Position: int32(pe.Cursorpos)}
		}
		return &SQLError{Code: "42601", Message: err.Error()}
	}
	switch len(tree.Stmts) {
	case 0:
		return &SQLError{Message: ErrEmpty.Error()}
	case 1:
	default:
		return refuse("only one SQL statement may be run at a time; send the statements one by one")
	}
	stmt := tree.Stmts[0].Stmt
	if explain := stmt.GetExplainStmt(); explain != nil {
		stmt = explain.Query
	}
	if stmt.GetSelectStmt() == nil {
		return refuse(fmt.Sprintf("%s statements are not allowed; only one SELECT (or WITH … SELECT, VALUES, TABLE, or EXPLAIN of one) may run", statementName(stmt)))
	}
	return walk(tree.ProtoReflect())
}

// refuse is the gate's answer to the model: what was refused and what it
// may do instead.
func refuse(why string) *SQLError {
	return &SQLError{Message: "refused before running: " + why}
}

// walk visits every node of the parse tree.
func walk(m protoreflect.Message) error {
	if err := check(m.Interface()); err != nil {
		return err
	}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			list := v.List()
			for i := 0; i < list.Len() && err == nil; i++ {
				err = walk(list.Get(i).Message())
			}
		case fd.IsMap():
		case fd.Message() != nil:
			err = walk(v.Message())
		}
		return err == nil
	})
	return err
}

// check judges one node.
func check(node any) error {
	switch n := node.(type) {
	case *pg_query.SelectStmt:
		if n.IntoClause != nil {
			return refuse("SELECT … INTO creates a table; select the rows without INTO")
		}
		if len(n.LockingClause) > 0 {
			return refuse("FOR UPDATE / FOR SHARE lock rows; remove the locking clause")
		}
	case *pg_query.ExplainStmt, *pg_query.RawStmt:
		// The statement's wrappers: Gate has judged them already.
	case *pg_query.FuncCall:
		name := qualifiedName(n.Funcname)
		if Denied(lastPart(name)) {
			return refuse(fmt.Sprintf("the function %s is not allowed (it writes to the database, reads other sessions, touches server files or runs SQL given as text); use plain SELECTs over the tables describe_schema lists", name))
		}
	case *pg_query.RangeVar:
		if deniedRelation(n.Relname) {
			return refuse(fmt.Sprintf("%s shows other sessions, other databases or server settings and is not allowed; query the tables describe_schema lists", n.Relname))
		}
	case protoreflect.ProtoMessage:
		if name := string(n.ProtoReflect().Descriptor().Name()); strings.HasSuffix(name, "Stmt") {
			return refuse(fmt.Sprintf("a %s inside the query is not allowed; only reading is", strings.TrimSuffix(name, "Stmt")))
		}
	}
	return nil
}

// statementName names a refused top-level statement for the model.
func statementName(n *pg_query.Node) string {
	if n == nil || n.Node == nil {
		return "empty"
	}
	m := n.ProtoReflect()
	which := m.WhichOneof(m.Descriptor().Oneofs().ByName("node"))
	if which == nil {
		return "unknown"
	}
	return strings.TrimSuffix(string(which.Message().Name()), "Stmt")
}

func qualifiedName(parts []*pg_query.Node) string {
	names := make([]string, 0, len(parts))
	for _, p := range parts {
		names = append(names, p.GetString_().GetSval())
	}
	return strings.Join(names, ".")
}

func lastPart(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i+1:]
	}
	return name
}
