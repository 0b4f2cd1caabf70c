// Package admin holds back-office operations that talk to the Workers KV
// REST API directly: bulk imports, exports, audits and support tools.
package admin

import (
	"encoding/json"
	"time"

	"example.com/linnet/internal/backend/restkv"
	"example.com/linnet/internal/config"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Namespace is a small value type bundling the KV service with the account
// and namespace it operates on.
type Namespace struct {
	svc     *kv.NamespaceService
	account string
	id      string
	cfg     config.Config
	now     func() time.Time
}

// NewNamespace returns a Namespace for the configured account.
func NewNamespace(client *cloudflare.Client, cfg config.Config) Namespace {
	return Namespace{
		svc:     client.KV.Namespaces,
		account: cfg.Cloudflare.AccountID,
		id:      cfg.Cloudflare.NamespaceID,
		cfg:     cfg,
		now:     time.Now,
	}
}

func (n Namespace) getParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.account)}
}

func (n Namespace) listParams(prefix string) kv.NamespaceKeyListParams {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.account)}
	if prefix != "" {
		p.Prefix = cloudflare.F(prefix)
	}
	return p
}

// textValue builds write params for a string value.
func (n Namespace) textValue(v string) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	}
}

func (n Namespace) jsonValue(v any) (kv.NamespaceValueUpdateParams, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return kv.NamespaceValueUpdateParams{}, err
	}
	return n.textValue(string(raw)), nil
}

func ttlSeconds(d time.Duration) float64 {
	return max(d, time.Minute).Seconds()
}

var isNotFound = restkv.IsNotFound
