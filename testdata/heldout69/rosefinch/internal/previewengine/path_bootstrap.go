package previewengine

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

// handoffWindow is how long the CLI has to exchange a handoff code for the
// bootstrap token it names.
const handoffWindow = 30 * time.Second

type bootstrapToken struct {
	Env     string    `json:"env"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
}

func bootstrapKey(tok string) string { return "token:boot:" + tok }

func pathBootstrap(b *backend) []*framework.Path {
	return []*framework.Path{
		{
			Pattern: "bootstrap/?$",
			Fields: map[string]*framework.FieldSchema{
				"after": {Type: framework.TypeString, Description: "Cursor returned by a previous list."},
				"limit": {Type: framework.TypeInt, Default: 100},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.ListOperation: &framework.PathOperation{Callback: b.pathBootstrapList},
			},
		},
		{
			Pattern: "bootstrap/" + framework.GenericNameRegex("env"),
			Fields: map[string]*framework.FieldSchema{
				"env":       {Type: framework.TypeString, Required: true},
				"role":      {Type: framework.TypeString, Required: true},
				"ttl":       {Type: framework.TypeDurationSecond, Default: 900},
				"not_after": {Type: framework.TypeInt, Description: "Unix time after which the token is useless (the environment's teardown)."},
				"token":     {Type: framework.TypeString, Description: "Token to revoke."},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.CreateOperation: &framework.PathOperation{Callback: b.pathBootstrapCreate},
				logical.UpdateOperation: &framework.PathOperation{Callback: b.pathBootstrapCreate},
				logical.DeleteOperation: &framework.PathOperation{Callback: b.pathBootstrapRevoke},
			},
			ExistenceCheck: func(context.Context, *logical.Request, *framework.FieldData) (bool, error) {
				return false, nil
			},
		},
	}
}

func (b *backend) pathBootstrapCreate(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	env := d.Get("env").(string)
	roleName := d.Get("role").(string)
	if r, err := getRole(ctx, req.Storage, roleName); err != nil {
		return nil, err
	} else if r == nil {
		return logical.ErrorResponse("unknown role %q", roleName), nil
	}

	ttl := time.Duration(d.Get("ttl").(int)) * time.Second
	if v, ok := d.GetOk("not_after"); ok {
		teardown := time.Unix(int64(v.(int)), 0)
		ttl = max(time.Until(teardown), 30*time.Second) // EXPECT kvttl
	}

	tok := newTokenID()
	if err := ns.PutJSON(ctx, bootstrapKey(tok), bootstrapToken{Env: env, Role: roleName, Created: time.Now().UTC()}, ttl); err != nil {
		return nil, err
	}
	code := newTokenID()[:10]
	if err := ns.Put(ctx, "handoff:"+code, []byte(tok), handoffWindow); err != nil { // EXPECT kvttl
		return nil, err
	}
	b.emit(auditEvent{Env: env, Action: "bootstrap.create"})
	return &logical.Response{Data: map[string]interface{}{
		"token":        tok,
		"handoff_code": code,
		"ttl":          int(ttl.Seconds()),
	}}, nil
}

func (b *backend) pathBootstrapRevoke(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	tok, ok := d.GetOk("token")
	if !ok || tok.(string) == "" {
		return logical.ErrorResponse("token is required"), nil
	}
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	if err := ns.Delete(ctx, bootstrapKey(tok.(string))); err != nil { // EXPECT kvsession
		return nil, err
	}
	b.emit(auditEvent{Env: d.Get("env").(string), Action: "bootstrap.revoke"})
	return nil, nil
}

// pathBootstrapList returns one page of outstanding bootstrap tokens and the
// cursor for the next one.
func (b *backend) pathBootstrapList(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	keys, next, err := ns.Page(ctx, "token:boot:", d.Get("after").(string), d.Get("limit").(int))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(keys))
	info := make(map[string]interface{}, len(keys))
	for _, k := range keys {
		name := strings.TrimPrefix(k.Name, "token:boot:")
		names = append(names, name)
		if k.Expiration > 0 {
			info[name] = map[string]interface{}{"expires_at": time.Unix(int64(k.Expiration), 0).UTC()}
		}
	}
	resp := logical.ListResponseWithInfo(names, info)
	resp.Data["next"] = next
	return resp, nil
}
