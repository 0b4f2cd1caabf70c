package ops

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"github.com/crake-mobility/crake/internal/dbgen"
)

// RESTDB runs dbgen queries over the REST API. Logical namespace names are
// those of the Worker's bindings.
type RESTDB struct {
	c *Client
}

var _ dbgen.DBTX = RESTDB{}

// DB returns a dbgen.DBTX backed by c.
func (c *Client) DB() RESTDB { return RESTDB{c: c} }

func (d RESTDB) nsID(name string) (string, error) {
	switch name {
	case dbgen.DefaultNamespace:
		return d.c.ns.Fleet, nil
	case "REPORTS_KV":
		return d.c.ns.Reports, nil
	case "GRID_KV":
		return d.c.ns.Grid, nil
	}
	return "", fmt.Errorf("ops: unknown namespace %q", name)
}

// GetValue implements dbgen.DBTX.
func (d RESTDB) GetValue(ctx context.Context, ns, key string) ([]byte, bool, error) {
	id, err := d.nsID(ns)
	if err != nil {
		return nil, false, err
	}
	b, err := d.c.getRaw(ctx, id, key)
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// PutValue implements dbgen.DBTX.
func (d RESTDB) PutValue(ctx context.Context, ns, key string, val []byte, ttl time.Duration) error {
	id, err := d.nsID(ns)
	if err != nil {
		return err
	}
	p := d.c.valueParams(string(val))
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(math.Max(60, math.Ceil(ttl.Seconds())))
	}
	return d.c.put(ctx, id, key, p)
}

// DeleteValue implements dbgen.DBTX.
func (d RESTDB) DeleteValue(ctx context.Context, ns, key string) error {
	id, err := d.nsID(ns)
	if err != nil {
		return err
	}
	return d.c.del(ctx, id, key)
}

// ListKeys implements dbgen.DBTX.
func (d RESTDB) ListKeys(ctx context.Context, ns, prefix, cursor string, limit int) (dbgen.KeyPage, error) {
	id, err := d.nsID(ns)
	if err != nil {
		return dbgen.KeyPage{}, err
	}
	p := d.c.listParams(prefix)
	p.Limit = cloudflare.F(float64(max(10, min(limit, 1000))))
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	page, err := d.c.api.KV.Namespaces.Keys.List(ctx, id, p)
	if err != nil {
		return dbgen.KeyPage{}, err
	}
	out := dbgen.KeyPage{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	for _, k := range page.Result {
		out.Keys = append(out.Keys, k.Name)
	}
	return out, nil
}
