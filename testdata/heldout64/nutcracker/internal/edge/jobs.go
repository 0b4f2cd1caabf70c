//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

// usageEvent is what the gateway enqueues after each proxied request batch.
type usageEvent struct {
	KeyID    string `json:"key_id"`
	Tenant   string `json:"tenant"`
	Requests int    `json:"requests"`
	Bytes    int64  `json:"bytes"`
	At       int64  `json:"at"`
}

// ConsumeUsage is the queue consumer for the usage-events queue.
func ConsumeUsage(batch *queues.MessageBatch) error {
	ns, err := namespace()
	if err != nil {
		return err
	}
	day := time.Now().UTC().Format("2006-01-02")
	perKey := map[string]int{}
	tenants := map[string]string{}
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev usageEvent
		if json.Unmarshal([]byte(body), &ev) != nil {
			msg.Ack()
			continue
		}
		perKey[ev.KeyID] += ev.Requests
		tenants[ev.KeyID] = ev.Tenant
		_ = ns.PutString("usage/last-event", body, nil) // EXPECT kvhotkey
	}
	for keyID, n := range perKey {
		key := fmt.Sprintf("usage/%s/%s/count", keyID, day)
		if err := ns.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 40 * 24 * 3600}); err != nil { // EXPECT kvcounter
			batch.RetryAll()
			return err
		}
	}
	// One rollup document per delivered batch: the key is unique per batch,
	// so concurrent consumers never write the same key.
	first := batch.Messages[0].ID
	rollup, _ := json.Marshal(map[string]any{"keys": perKey, "tenants": tenants})
	if err := ns.PutString("usage/rollups/"+day+"/"+first, string(rollup), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil {
		batch.RetryAll()
		return err
	}
	batch.AckAll()
	return nil
}

// domainStatus is the cached certificate state of a custom domain.
type domainStatus struct {
	Host    string `json:"host"`
	Status  string `json:"status"`
	Checked int64  `json:"checked"`
}

// RunScheduled is the cron handler.
func RunScheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := namespace()
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		return refreshDomains(ns, ev.ScheduledTime)
	case "0 * * * *":
		return snapshotGateways(ns)
	case "30 3 * * *":
		return summarizeExposures(ns)
	}
	return nil
}

// refreshDomains copies each domain's status into the edge's lookup table.
func refreshDomains(ns *kv.Namespace, at time.Time) error {
	const maxPages = 20
	cursor := ""
	checked := 0
	for range maxPages {
		res, err := ns.List(&kv.ListOptions{Prefix: "domains/", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || missing(raw) {
				continue
			}
			var d domainStatus
			if json.Unmarshal([]byte(raw), &d) != nil {
				continue
			}
			st, _ := json.Marshal(domainStatus{Host: d.Host, Status: d.Status, Checked: at.Unix()})
			_ = ns.PutString("edge/domain-status/"+d.Host, string(st), &kv.PutOptions{
				Expiration: int(at.Add(15 * time.Minute).UnixMilli()), // EXPECT kvttl
			})
			_ = ns.PutString("cron/domains/last-host", d.Host, nil) // EXPECT kvhotkey
			checked++
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return ns.PutString("cron/domains/summary", fmt.Sprintf(`{"checked":%d,"at":%d}`, checked, at.Unix()), nil)
}

// snapshotGateways writes the hostname table the gateway router loads at
// start-up. It runs hourly, so the snapshot key is written once per hour.
func snapshotGateways(ns *kv.Namespace) error {
	res, err := ns.List(&kv.ListOptions{Prefix: "gw/upstream/", Limit: 5000}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if !res.ListComplete {
		return fmt.Errorf("gateway snapshot: more than one page of upstreams")
	}
	hosts := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		hosts = append(hosts, strings.TrimPrefix(k.Name, "gw/upstream/"))
	}
	buf, _ := json.Marshal(hosts)
	return ns.PutString("gw/snapshot", string(buf), nil)
}

// summarizeExposures counts exposures per flag for the experiment report.
func summarizeExposures(ns *kv.Namespace) error {
	perFlag := map[string]int{}
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "flags/exposure/", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			flag, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "flags/exposure/"), "/")
			perFlag[flag]++
		}
		cursor = res.Cursor
	}
	day := time.Now().UTC().Format("2006-01-02")
	for flag, n := range perFlag {
		doc := fmt.Sprintf(`{"flag":%q,"exposed_users":%d}`, flag, n)
		if err := ns.PutString("flags/report/"+day+"/"+flag, doc, &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}); err != nil {
			return err
		}
	}
	return nil
}
