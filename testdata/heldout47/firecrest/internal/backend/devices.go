//go:build !js

package backend

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"firecrest/internal/kvkeys"
)

const (
	devicePageBudget = 25
	reportKeep       = 7 * 24 * time.Hour
)

// SweepDeviceBindings reports device bindings that expire within three
// days, so that ops can warn couriers before their phone is unbound.
func SweepDeviceBindings(ctx context.Context, env *Env) error {
	acct := cloudflare.F(env.AccountID)
	keys := env.CF.KV.Namespaces.Keys
	soon := float64(time.Now().Add(72 * time.Hour).Unix())

	page, err := keys.List(ctx, env.AuthNS, kv.NamespaceKeyListParams{
		AccountID: acct,
		Prefix:    cloudflare.F(kvkeys.DeviceBindPrefix),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return err
	}
	var report bytes.Buffer
	expiring, pages := 0, 0
	for page != nil && pages < devicePageBudget {
		pages++
		for _, k := range page.Result {
			if k.Expiration == 0 || k.Expiration > soon {
				continue
			}
			expiring++
			courierID := strings.TrimPrefix(k.Name, kvkeys.DeviceBindPrefix)
			fmt.Fprintf(&report, "%s\t%s\n", courierID, time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339))
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		if page, err = page.GetNextPage(); err != nil {
			return err
		}
	}
	if pages == devicePageBudget {
		log.Printf("devices: stopped after %d pages", pages)
	}

	day := time.Now().UTC().Format("20060102")
	_, err = env.CF.KV.Namespaces.Bulk.Update(ctx, env.AuthNS, kv.NamespaceBulkUpdateParams{
		AccountID: acct,
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(kvkeys.DeviceBindPrefix + "report:" + day),
			Value:         cloudflare.F(report.String()),
			ExpirationTTL: cloudflare.F(reportKeep.Seconds()),
			Metadata:      cloudflare.F(map[string]interface{}{"expiring": expiring, "pages": pages}),
		}},
	})
	return err
}
