// Package kvsql lets the legacy reporting tool reach the KV namespace through
// database/sql. It understands a tiny statement language:
//
//	PUT ? ?          store value (arg 2) under key (arg 1)
//	PUT ? ? TTL ?    same, expiring after arg 3 seconds
//	GET ?            one row (key, value); no rows when the key is missing
//	DEL ?            delete key
//	SCAN ?           one row per key under the prefix (value column empty)
package kvsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

// Open returns a *sql.DB over st.
func Open(st *kvstore.Store) *sql.DB {
	return sql.OpenDB(&Connector{st: st})
}

// Connector implements driver.Connector.
type Connector struct {
	st *kvstore.Store
}

var (
	_ driver.Connector = (*Connector)(nil)
	_ driver.Driver    = Driver{}
)

// Connect implements driver.Connector.
func (c *Connector) Connect(context.Context) (driver.Conn, error) {
	return &conn{st: c.st}, nil
}

// Driver implements driver.Connector.
func (c *Connector) Driver() driver.Driver { return Driver{} }

// Driver implements driver.Driver. Only connections made through Open work;
// a DSN cannot carry API credentials safely.
type Driver struct{}

// Open implements driver.Driver.
func (Driver) Open(string) (driver.Conn, error) {
	return nil, errors.New("kvsql: use kvsql.Open with a store")
}

type conn struct {
	st *kvstore.Store
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	f := strings.Fields(strings.ToUpper(query))
	if len(f) == 0 {
		return nil, errors.New("kvsql: empty statement")
	}
	s := &stmt{st: c.st, op: f[0]}
	switch {
	case s.op == "PUT" && len(f) == 3:
		s.nargs = 2
	case s.op == "PUT" && len(f) == 5 && f[3] == "TTL":
		s.nargs, s.hasTTL = 3, true
	case (s.op == "GET" || s.op == "DEL" || s.op == "SCAN") && len(f) == 2:
		s.nargs = 1
	default:
		return nil, fmt.Errorf("kvsql: cannot parse %q", query)
	}
	return s, nil
}

func (c *conn) Close() error { return nil }

func (c *conn) Begin() (driver.Tx, error) {
	return nil, errors.New("kvsql: transactions are not supported")
}
