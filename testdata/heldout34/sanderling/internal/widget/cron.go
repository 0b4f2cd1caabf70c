//go:build js && wasm

package widget

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/keys"
)

// WarmConfigs refreshes site configurations that are about to expire so the
// first visitor after expiry does not pay for the origin round trip.
func (s *Service) WarmConfigs(ctx context.Context) error {
	soon := time.Now().Add(2 * time.Minute).Unix()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: keys.KindWidgetConfig.Prefix() + keys.Sep, Limit: s.cfg.KV.PageSize}
	warmed := 0
	for page := 0; page < s.cfg.KV.MaxPages; page++ {
		res, err := edgekv.Widget.List(opts) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("warm configs: %w", err)
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			siteID := strings.TrimPrefix(k.Name, opts.Prefix)
			if strings.Contains(siteID, keys.Sep) || k.Expiration == 0 || int64(k.Expiration) > soon {
				continue
			}
			body, err := s.origin.Get(ctx, "/internal/widget/config/"+k.Name)
			if err != nil {
				return fmt.Errorf("warm %s: %w", siteID, err)
			}
			if err := s.configs.Put(k.Name, string(body), s.cfg.KV.TTL.WidgetConfig); err != nil {
				return err
			}
			warmed++
			if err := edgekv.PutString(edgekv.Widget, keys.Key("cron", "warm", "last_site"), siteID, 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		opts.Cursor = res.Cursor
	}
	log.Printf("warm configs: refreshed %d sites", warmed)
	return edgekv.PutString(edgekv.Widget, keys.Key("cron", "warm", "finished"), time.Now().UTC().Format(time.RFC3339), 0)
}
