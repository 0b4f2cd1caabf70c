package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/yarrow/internal/backend/catalog"
	"example.com/yarrow/internal/backend/cfkv"
	"example.com/yarrow/internal/backend/ops"
	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// fileSource reads the nightly menu export of the restaurant database.
type fileSource struct{ path string }

func (f fileSource) AllMenus(ctx context.Context) ([]domain.Menu, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fh, err := os.Open(f.path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var menus []domain.Menu
	if err := json.NewDecoder(fh).Decode(&menus); err != nil {
		return nil, fmt.Errorf("menu export %s: %w", f.path, err)
	}
	return menus, nil
}

var (
	_ storage.Store  = (*cfkv.Store)(nil)
	_ catalog.Source = fileSource{}
	_ catalog.Clock  = systemClock{}
	_ ops.Clock      = systemClock{}
)

// ProvideClient builds the Cloudflare API client. The cleanup closes idle
// connections of the HTTP client it uses.
func ProvideClient(cfg config.Backend) (*cloudflare.Client, func(), error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	client := cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(3),
	)
	return client, hc.CloseIdleConnections, nil
}

// ProvideCatalogStore is the menus namespace as seen from the backend.
func ProvideCatalogStore(client *cloudflare.Client, cfg config.Backend) *cfkv.Store {
	return cfkv.New(client, cfg.AccountID, cfg.CatalogNamespace, storage.WriteOptions{})
}

// ProvideOpsStore is the operations namespace.
func ProvideOpsStore(client *cloudflare.Client, cfg config.Backend) *cfkv.Store {
	return cfkv.New(client, cfg.AccountID, cfg.OpsNamespace, storage.WriteOptions{TTL: 30 * 24 * time.Hour})
}
