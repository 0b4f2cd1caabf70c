package previewengine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

const auditRetention = 7 * 24 * time.Hour

type auditEvent struct {
	Env     string    `json:"env"`
	Action  string    `json:"action"`
	Subject string    `json:"subject,omitempty"`
	At      time.Time `json:"at"`
}

// emit queues an audit event; events are dropped when the writer is behind.
func (b *backend) emit(ev auditEvent) {
	ev.At = time.Now().UTC()
	select {
	case b.audit <- ev:
	default:
	}
}

// auditWriter writes each audit event under its own time-ordered key.
func (b *backend) auditWriter() {
	for {
		select {
		case <-b.stop:
			return
		case ev := <-b.audit:
			b.mu.RLock()
			ns := b.ns
			b.mu.RUnlock()
			if ns == nil {
				continue
			}
			env := ev.Env
			if env == "" {
				env = "_global"
			}
			key := fmt.Sprintf("audit:%s:%020d", env, ev.At.UnixNano())
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = ns.PutJSON(ctx, key, ev, auditRetention)
			cancel()
		}
	}
}

func pathAudit(b *backend) []*framework.Path {
	return []*framework.Path{
		{
			Pattern: "audit/?$",
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.ListOperation: &framework.PathOperation{Callback: b.pathAuditEnvs},
			},
		},
		{
			Pattern: "audit/" + framework.GenericNameRegex("env") + "/count",
			Fields: map[string]*framework.FieldSchema{
				"env": {Type: framework.TypeString, Required: true},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.ReadOperation: &framework.PathOperation{Callback: b.pathAuditCount},
			},
		},
		{
			Pattern: "audit/" + framework.GenericNameRegex("env"),
			Fields: map[string]*framework.FieldSchema{
				"env":   {Type: framework.TypeString, Required: true},
				"limit": {Type: framework.TypeInt, Default: 200},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.ReadOperation: &framework.PathOperation{Callback: b.pathAuditRead},
			},
		},
	}
}

// pathAuditEnvs lists every environment that has audit events.
func (b *backend) pathAuditEnvs(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var envs []string
	cursor := ""
	for {
		keys, next, err := ns.Page(ctx, "audit:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			env, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "audit:"), ":")
			if !seen[env] {
				seen[env] = true
				envs = append(envs, env)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return logical.ListResponse(envs), nil
}

func (b *backend) pathAuditRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	env := d.Get("env").(string)
	keys, err := ns.Keys(ctx, "audit:"+env+":", d.Get("limit").(int))
	if err != nil {
		return nil, err
	}
	events := make([]auditEvent, 0, len(keys))
	for _, k := range keys {
		raw, err := ns.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var ev auditEvent
		if json.Unmarshal(raw, &ev) == nil {
			events = append(events, ev)
		}
	}
	return &logical.Response{Data: map[string]interface{}{"events": events}}, nil
}

// pathAuditCount reports how many audit events an environment has.
func (b *backend) pathAuditCount(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("audit:" + d.Get("env").(string) + ":"),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return nil, err
	}
	return &logical.Response{Data: map[string]interface{}{"count": len(page.Result)}}, nil
}
