//go:build !js

package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
)

const (
	archiveFor   = 14 * 24 * time.Hour
	bulkMaxPairs = 10_000
)

// SettleShifts runs nightly. It walks every shift, closes the ones that
// ended, credits each courier's delivery tally and archives closed shifts in
// one bulk write.
func SettleShifts(ctx context.Context, env *Env) error {
	cf := env.CF.KV.Namespaces
	acct := cloudflare.F(env.AccountID)
	now := time.Now().UTC()

	pager := cf.Keys.ListAutoPaging(ctx, env.DispatchNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: acct,
		Prefix:    cloudflare.F(kvkeys.ShiftPrefix),
		Limit:     cloudflare.F(1000.0),
	})
	var archive []kv.NamespaceBulkUpdateParamsBody
	perCourier := map[string]int{}
	for pager.Next() {
		k := pager.Current()
		key := k.Name
		if strings.Count(strings.TrimPrefix(key, kvkeys.ShiftPrefix), ":") > 0 {
			continue
		}
		res, err := cf.Values.Get(ctx, env.DispatchNS, key, kv.NamespaceValueGetParams{AccountID: acct}) // EXPECT kvlist
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return err
		}
		raw, err := readAll(res)
		if err != nil {
			return err
		}
		var sh courier.Shift
		if err := json.Unmarshal(raw, &sh); err != nil {
			log.Printf("settle: %s: %v", key, err)
			continue
		}
		if sh.End.After(now) || !sh.ClosedAt.IsZero() {
			continue
		}
		sh.ClosedAt = now
		raw, err = json.Marshal(sh)
		if err != nil {
			return err
		}
		_, err = cf.Values.Update(ctx, env.DispatchNS, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
			AccountID: acct,
			Value:     cloudflare.F(string(raw)),
			Metadata:  cloudflare.F(`{"closed":true}`),
		})
		if err != nil {
			return err
		}
		perCourier[sh.CourierID] += len(sh.Orders)
		archive = append(archive, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(kvkeys.ShiftPrefix + "archive:" + sh.ID),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(float64(archiveFor)), // EXPECT kvttl
		})
	}
	if err := pager.Err(); err != nil {
		return err
	}

	// Delivery tallies per courier for the payroll export.
	day := now.Format("20060102")
	for courierID, n := range perCourier {
		key := kvkeys.ShiftPrefix + "tally:" + day + ":" + courierID
		prev := 0
		res, err := cf.Values.Get(ctx, env.DispatchNS, key, kv.NamespaceValueGetParams{AccountID: acct})
		switch {
		case err == nil:
			raw, rerr := readAll(res)
			if rerr != nil {
				return rerr
			}
			prev, _ = strconv.Atoi(strings.TrimSpace(string(raw)))
		case isNotFound(err):
		default:
			return err
		}
		_, err = cf.Values.Update(ctx, env.DispatchNS, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
			AccountID: acct,
			Value:     cloudflare.F(strconv.Itoa(prev + n)),
			Metadata:  cloudflare.F(`{}`),
		})
		if err != nil {
			return fmt.Errorf("tally %s: %w", courierID, err)
		}
	}

	// Archive in bulk, at most bulkMaxPairs per request.
	for len(archive) > 0 {
		n := min(len(archive), bulkMaxPairs)
		if _, err := cf.Bulk.Update(ctx, env.DispatchNS, kv.NamespaceBulkUpdateParams{
			AccountID: acct,
			Body:      archive[:n],
		}); err != nil {
			return err
		}
		archive = archive[n:]
	}

	// Payroll reads the settlement marker to know the night is done.
	_, err := cf.Bulk.Update(ctx, env.DispatchNS, kv.NamespaceBulkUpdateParams{
		AccountID: acct,
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(kvkeys.ShiftPrefix + "settled:" + day),
			Value:         cloudflare.F(now.Format(time.RFC3339)),
			ExpirationTTL: cloudflare.F(archiveFor.Seconds()),
		}},
	})
	return err
}
