package previewengine

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

type role struct {
	Name           string        `json:"name"`
	TTL            time.Duration `json:"ttl"`
	MaxTTL         time.Duration `json:"max_ttl"`
	EnvQuota       int           `json:"env_quota"`
	HostnameSuffix string        `json:"hostname_suffix"`
	Scopes         []string      `json:"scopes"`
}

func getRole(ctx context.Context, s logical.Storage, name string) (*role, error) {
	entry, err := s.Get(ctx, "roles/"+name)
	if err != nil || entry == nil {
		return nil, err
	}
	var r role
	return &r, entry.DecodeJSON(&r)
}

func pathRoles(b *backend) []*framework.Path {
	return []*framework.Path{
		{
			Pattern: "roles/?$",
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.ListOperation: &framework.PathOperation{Callback: b.pathRoleList},
			},
		},
		{
			Pattern: "roles/" + framework.GenericNameRegex("name"),
			Fields: map[string]*framework.FieldSchema{
				"name":            {Type: framework.TypeString, Required: true},
				"ttl":             {Type: framework.TypeDurationSecond, Default: 3600},
				"max_ttl":         {Type: framework.TypeDurationSecond, Default: 86400},
				"env_quota":       {Type: framework.TypeInt, Default: 10},
				"hostname_suffix": {Type: framework.TypeString, Default: "preview.rosefinch.dev"},
				"scopes":          {Type: framework.TypeCommaStringSlice},
			},
			ExistenceCheck: func(ctx context.Context, req *logical.Request, d *framework.FieldData) (bool, error) {
				r, err := getRole(ctx, req.Storage, d.Get("name").(string))
				return r != nil, err
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.ReadOperation:   &framework.PathOperation{Callback: b.pathRoleRead},
				logical.CreateOperation: &framework.PathOperation{Callback: b.pathRoleWrite},
				logical.UpdateOperation: &framework.PathOperation{Callback: b.pathRoleWrite},
				logical.DeleteOperation: &framework.PathOperation{Callback: b.pathRoleDelete},
			},
		},
	}
}

func (b *backend) pathRoleList(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	names, err := req.Storage.List(ctx, "roles/")
	if err != nil {
		return nil, err
	}
	return logical.ListResponse(names), nil
}

func (b *backend) pathRoleRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	r, err := getRole(ctx, req.Storage, d.Get("name").(string))
	if err != nil || r == nil {
		return nil, err
	}
	return &logical.Response{Data: map[string]interface{}{
		"ttl":             int64(r.TTL.Seconds()),
		"max_ttl":         int64(r.MaxTTL.Seconds()),
		"env_quota":       r.EnvQuota,
		"hostname_suffix": r.HostnameSuffix,
		"scopes":          r.Scopes,
	}}, nil
}

func (b *backend) pathRoleWrite(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	r, err := getRole(ctx, req.Storage, name)
	if err != nil {
		return nil, err
	}
	if r == nil {
		r = &role{Name: name}
	}
	if v, ok := d.GetOk("ttl"); ok || req.Operation == logical.CreateOperation {
		if !ok {
			v = d.Get("ttl")
		}
		r.TTL = time.Duration(v.(int)) * time.Second
	}
	if v, ok := d.GetOk("max_ttl"); ok || req.Operation == logical.CreateOperation {
		if !ok {
			v = d.Get("max_ttl")
		}
		r.MaxTTL = time.Duration(v.(int)) * time.Second
	}
	r.EnvQuota = d.Get("env_quota").(int)
	r.HostnameSuffix = d.Get("hostname_suffix").(string)
	if v, ok := d.GetOk("scopes"); ok {
		r.Scopes = v.([]string)
	}
	if r.MaxTTL > 0 && r.TTL > r.MaxTTL {
		return logical.ErrorResponse("ttl must not exceed max_ttl"), nil
	}

	entry, err := logical.StorageEntryJSON("roles/"+name, r)
	if err != nil {
		return nil, err
	}
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, err
	}

	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	// The edge reads role summaries to decide which scopes a token may use.
	if err := ns.PutJSON(ctx, "role:"+name, map[string]any{
		"scopes": r.Scopes,
		"suffix": r.HostnameSuffix,
	}, 0); err != nil {
		return nil, err
	}
	return nil, b.indexRole(ctx, ns, name)
}

// indexRole keeps the list of role names the edge iterates over.
func (b *backend) indexRole(ctx context.Context, ns *kvstore.Namespace, name string) error {
	var names []string
	raw, err := ns.Get(ctx, "roles:index")
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &names); err != nil {
			return err
		}
	}
	if slices.Contains(names, name) {
		return nil
	}
	names = append(names, name)
	return ns.PutJSON(ctx, "roles:index", names, 0) // EXPECT kvrace
}

func (b *backend) pathRoleDelete(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	if err := req.Storage.Delete(ctx, "roles/"+name); err != nil {
		return nil, err
	}
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	return nil, ns.Delete(ctx, "role:"+name)
}
