package previewengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

// envQuota caps how many preview environments a team may run at once.
type envQuota struct {
	Team  string `json:"team"`
	Used  int    `json:"used"`
	Limit int    `json:"limit"`
}

func quotaKey(team string) string { return "quota:env:" + team }

func pathQuota(b *backend) []*framework.Path {
	return []*framework.Path{{
		Pattern: "quota/" + framework.GenericNameRegex("team"),
		Fields: map[string]*framework.FieldSchema{
			"team":  {Type: framework.TypeString, Required: true},
			"count": {Type: framework.TypeInt, Default: 1},
			"limit": {Type: framework.TypeInt, Default: 10},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation:   &framework.PathOperation{Callback: b.pathQuotaRead},
			logical.UpdateOperation: &framework.PathOperation{Callback: b.pathQuotaReserve},
			logical.DeleteOperation: &framework.PathOperation{Callback: b.pathQuotaRelease},
		},
	}}
}

func (b *backend) pathQuotaRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	team := d.Get("team").(string)
	q := envQuota{Team: team, Limit: d.Get("limit").(int)}
	if err := ns.GetJSON(ctx, quotaKey(team), &q); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	return &logical.Response{Data: map[string]interface{}{"used": q.Used, "limit": q.Limit}}, nil
}

func (b *backend) pathQuotaReserve(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	team := d.Get("team").(string)
	n := d.Get("count").(int)

	var q envQuota
	raw, err := ns.Get(ctx, quotaKey(team)) // EXPECT kvnull
	if err != nil {
		q = envQuota{Team: team, Limit: d.Get("limit").(int)}
	} else if err := json.Unmarshal(raw, &q); err != nil {
		return nil, fmt.Errorf("decode quota for %s: %w", team, err)
	}
	if q.Used+n > q.Limit {
		return logical.ErrorResponse("team %s is at its limit of %d environments", team, q.Limit), nil
	}
	q.Used += n
	if err := ns.PutJSON(ctx, quotaKey(team), q, 0); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	return &logical.Response{Data: map[string]interface{}{"used": q.Used, "limit": q.Limit}}, nil
}

func (b *backend) pathQuotaRelease(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	team := d.Get("team").(string)
	n := d.Get("count").(int)
	err = ns.Update(ctx, quotaKey(team), 0, func(old []byte) ([]byte, error) { // DEBATABLE kvcounter
		q := envQuota{Team: team, Limit: d.Get("limit").(int)}
		if old != nil {
			if err := json.Unmarshal(old, &q); err != nil {
				return nil, err
			}
		}
		q.Used = max(q.Used-n, 0)
		return json.Marshal(q)
	})
	return nil, err
}
