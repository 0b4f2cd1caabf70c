package kvsql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

type stmt struct {
	st     *kvstore.Store
	op     string
	nargs  int
	hasTTL bool
}

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return s.nargs }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

// ExecContext implements driver.StmtExecContext.
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	key, err := text(args[0].Value)
	if err != nil {
		return nil, fmt.Errorf("kvsql: key: %w", err)
	}
	switch s.op {
	case "PUT":
		val, err := text(args[1].Value)
		if err != nil {
			return nil, fmt.Errorf("kvsql: value: %w", err)
		}
		var ttl time.Duration
		if s.hasTTL {
			secs, err := integer(args[2].Value)
			if err != nil {
				return nil, fmt.Errorf("kvsql: ttl: %w", err)
			}
			ttl = time.Duration(secs) * time.Second
		}
		if err := s.st.Put(ctx, key, []byte(val), ttl); err != nil {
			return nil, err
		}
		return driver.RowsAffected(1), nil
	case "DEL":
		if err := s.st.Delete(ctx, key); err != nil {
			return nil, err
		}
		return driver.RowsAffected(1), nil
	}
	return nil, fmt.Errorf("kvsql: %s is a query", s.op)
}

// QueryContext implements driver.StmtQueryContext.
func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	arg, err := text(args[0].Value)
	if err != nil {
		return nil, err
	}
	switch s.op {
	case "GET":
		b, err := s.st.Get(ctx, arg)
		if errors.Is(err, kvstore.ErrNotFound) {
			return &rows{}, nil
		}
		if err != nil {
			return nil, err
		}
		return &rows{data: [][2]string{{arg, string(b)}}}, nil
	case "SCAN":
		var out [][2]string
		cursor := ""
		for {
			keys, next, err := s.st.List(ctx, arg, cursor, 1000) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			for _, k := range keys {
				out = append(out, [2]string{k.Name, ""})
			}
			if next == "" {
				break
			}
			cursor = next
		}
		return &rows{data: out}, nil
	}
	return nil, fmt.Errorf("kvsql: %s is not a query", s.op)
}

type rows struct {
	data [][2]string
	i    int
}

func (r *rows) Columns() []string { return []string{"key", "value"} }
func (r *rows) Close() error      { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if r.i >= len(r.data) {
		return io.EOF
	}
	dest[0], dest[1] = r.data[r.i][0], r.data[r.i][1]
	r.i++
	return nil
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func text(v driver.Value) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case []byte:
		return string(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(t), nil
	case time.Time:
		return t.UTC().Format(time.RFC3339), nil
	}
	return "", fmt.Errorf("unsupported argument type %T", v)
}

func integer(v driver.Value) (int64, error) {
	switch t := v.(type) {
	case int64:
		return t, nil
	case float64:
		return int64(t), nil
	case string:
		return strconv.ParseInt(t, 10, 64)
	}
	return 0, fmt.Errorf("unsupported argument type %T", v)
}
