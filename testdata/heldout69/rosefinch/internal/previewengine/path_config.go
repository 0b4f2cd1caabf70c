package previewengine

import (
	"context"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

type engineConfig struct {
	AccountID      string        `json:"account_id"`
	NamespaceID    string        `json:"namespace_id"`
	APIToken       string        `json:"api_token"`
	AuditRetention time.Duration `json:"audit_retention"`
	SweepPages     int           `json:"sweep_pages"`
	EdgeZone       string        `json:"edge_zone"`
}

func readConfig(ctx context.Context, s logical.Storage) (*engineConfig, error) {
	entry, err := s.Get(ctx, "config")
	if err != nil || entry == nil {
		return nil, err
	}
	var cfg engineConfig
	if err := entry.DecodeJSON(&cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func pathConfig(b *backend) *framework.Path {
	return &framework.Path{
		Pattern: "config",
		Fields: map[string]*framework.FieldSchema{
			"account_id":      {Type: framework.TypeString, Required: true},
			"namespace_id":    {Type: framework.TypeString, Required: true},
			"api_token":       {Type: framework.TypeString, DisplayAttrs: &framework.DisplayAttributes{Sensitive: true}},
			"audit_retention": {Type: framework.TypeDurationSecond, Default: 7 * 24 * 3600},
			"sweep_pages":     {Type: framework.TypeInt, Default: 5, Description: "List pages the periodic sweep reads per run."},
			"edge_zone":       {Type: framework.TypeString, Default: "preview.rosefinch.dev"},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation:   &framework.PathOperation{Callback: b.pathConfigRead},
			logical.UpdateOperation: &framework.PathOperation{Callback: b.pathConfigWrite},
			logical.CreateOperation: &framework.PathOperation{Callback: b.pathConfigWrite},
		},
		ExistenceCheck: func(ctx context.Context, req *logical.Request, _ *framework.FieldData) (bool, error) {
			cfg, err := readConfig(ctx, req.Storage)
			return cfg != nil, err
		},
	}
}

func (b *backend) pathConfigRead(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	cfg, err := readConfig(ctx, req.Storage)
	if err != nil || cfg == nil {
		return nil, err
	}
	return &logical.Response{Data: map[string]interface{}{
		"account_id":      cfg.AccountID,
		"namespace_id":    cfg.NamespaceID,
		"audit_retention": int(cfg.AuditRetention.Seconds()),
		"sweep_pages":     cfg.SweepPages,
		"edge_zone":       cfg.EdgeZone,
	}}, nil
}

func (b *backend) pathConfigWrite(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	cfg, err := readConfig(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = &engineConfig{}
	}
	if v, ok := d.GetOk("account_id"); ok {
		cfg.AccountID = v.(string)
	}
	if v, ok := d.GetOk("namespace_id"); ok {
		cfg.NamespaceID = v.(string)
	}
	if v, ok := d.GetOk("api_token"); ok {
		cfg.APIToken = v.(string)
	}
	cfg.AuditRetention = time.Duration(d.Get("audit_retention").(int)) * time.Second
	cfg.SweepPages = d.Get("sweep_pages").(int)
	cfg.EdgeZone = d.Get("edge_zone").(string)
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return logical.ErrorResponse("account_id and namespace_id are required"), nil
	}
	entry, err := logical.StorageEntryJSON("config", cfg)
	if err != nil {
		return nil, err
	}
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, err
	}
	b.invalidate(ctx, "config")
	return nil, nil
}
