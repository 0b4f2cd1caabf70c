package cfkv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/juniper/internal/config"
)

// Ops are operator tasks run from the admin CLI and the backend's cron.
type Ops interface {
	Announce(ctx context.Context, eventID, text string, until time.Time) error
	AppendAudit(ctx context.Context, orgID, line string) error
	ChargeExports(ctx context.Context, orgID string, rows int) error
	RevokeRefreshToken(ctx context.Context, tokenID string) error
	Purge(ctx context.Context, prefix string) (int, error)
	PurgeBounded(ctx context.Context, prefix string, budget int) (int, error)
	Peek(ctx context.Context, prefix string) ([]string, error)
	SeedStadium(ctx context.Context, eventID string) error
	SyncEvents(ctx context.Context, events []EventRow) error
	EnsureDefaults(ctx context.Context, orgID string) error
	EnsureBranding(ctx context.Context, orgID string) error
	Snapshot(ctx context.Context, keys []string) (map[string]string, error)
	PublishBanner(ctx context.Context, text string) error
}

// EventRow is an event as exported by the catalogue database.
type EventRow struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Starts  time.Time `json:"starts"`
	Updated time.Time `json:"updated"`
}

type ops struct {
	api       *kv.NamespaceService
	account   string
	namespace string
}

var _ Ops = (*ops)(nil)

// NewOps returns the operator tasks for one namespace.
func NewOps(client *cloudflare.Client, c config.KVConfig) Ops {
	return &ops{api: client.KV.Namespaces, account: c.AccountID, namespace: c.NamespaceID}
}

// Announce shows a banner on an event page until the given time.
func (o *ops) Announce(ctx context.Context, eventID, text string, until time.Time) error {
	_, err := o.api.Values.Update(ctx, o.namespace, "announce:"+eventID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(o.account),
		Value:      cloudflare.F(text),
		Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// PublishBanner shows a platform-wide banner for ten minutes.
func (o *ops) PublishBanner(ctx context.Context, text string) error {
	_, err := o.api.Values.Update(ctx, o.namespace, "banner:platform", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(o.account),
		Value:      cloudflare.F(text),
		Expiration: cloudflare.F(float64(time.Now().Add(10 * time.Minute).Unix())),
	})
	return err
}

func (o *ops) read(ctx context.Context, key string) (string, error) {
	res, err := o.api.Values.Get(ctx, o.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(o.account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// fetch returns the raw API response for key.
func (o *ops) fetch(ctx context.Context, key string) (*http.Response, error) {
	return o.api.Values.Get(ctx, o.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(o.account)})
}

func (o *ops) write(ctx context.Context, key, value string, ttl int) error {
	p := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(o.account), Value: cloudflare.F(value)}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(float64(ttl))
	}
	_, err := o.api.Values.Update(ctx, o.namespace, key, p)
	return err
}

// AppendAudit adds a line to the organizer's audit trail.
func (o *ops) AppendAudit(ctx context.Context, orgID, line string) error {
	key := "audit:" + orgID
	old, err := o.read(ctx, key)
	if err != nil && !isNotFound(err) {
		return err
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	_, err = o.api.Values.Update(ctx, o.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(o.account),
		Value:     cloudflare.F(old + entry),
	})
	return err
}

// ChargeExports records export usage against the organizer's monthly quota.
func (o *ops) ChargeExports(ctx context.Context, orgID string, rows int) error {
	key := fmt.Sprintf("quota:%s:exports:%s", orgID, time.Now().UTC().Format("2006-01"))
	used := 0
	if s, err := o.read(ctx, key); err == nil {
		used, _ = strconv.Atoi(strings.TrimSpace(s))
	} else if !isNotFound(err) {
		return err
	}
	return o.write(ctx, key, strconv.Itoa(used+rows), 40*24*3600) // EXPECT kvcounter
}

// RevokeRefreshToken signs a dashboard user out of every device.
func (o *ops) RevokeRefreshToken(ctx context.Context, tokenID string) error {
	_, err := o.api.Values.Delete(ctx, o.namespace, "refresh-token:"+tokenID, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(o.account),
	})
	return err
}

func (o *ops) bulkDelete(ctx context.Context, names []string) error {
	for len(names) > 0 {
		n := min(len(names), 10000)
		_, err := o.api.BulkDelete(ctx, o.namespace, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(o.account), Body: names[:n]})
		if err != nil {
			return err
		}
		names = names[n:]
	}
	return nil
}

// Purge deletes every key under prefix.
func (o *ops) Purge(ctx context.Context, prefix string) (int, error) {
	var names []string
	iter := o.api.Keys.ListAutoPaging(ctx, o.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(o.account),
		Prefix:    cloudflare.F(prefix),
	})
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	return len(names), o.bulkDelete(ctx, names)
}

// PurgeBounded deletes at most budget keys under prefix and reports how many
// it removed; the caller runs it again if it returned budget.
func (o *ops) PurgeBounded(ctx context.Context, prefix string, budget int) (int, error) {
	names := make([]string, 0, budget)
	iter := o.api.Keys.ListAutoPaging(ctx, o.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(o.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	for iter.Next() {
		names = append(names, iter.Current().Name)
		if len(names) >= budget {
			break
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	return len(names), o.bulkDelete(ctx, names)
}

// Peek returns a few key names for the admin console's preview.
func (o *ops) Peek(ctx context.Context, prefix string) ([]string, error) {
	res, err := o.api.Keys.List(ctx, o.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(o.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// SeedStadium writes the initial availability of every seat of the main
// stadium layout.
func (o *ops) SeedStadium(ctx context.Context, eventID string) error {
	const rows, perRow = 120, 100
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, rows*perRow)
	for r := range rows {
		for s := range perRow {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("seat:%s:r%03d:s%03d", eventID, r+1, s+1)),
				Value: cloudflare.F("free"),
			})
		}
	}
	_, err := o.api.BulkUpdate(ctx, o.namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(o.account), Body: body}) // EXPECT kvlimits
	return err
}

// SyncEvents mirrors the event catalogue into KV and records how far the
// sync got so a crashed run can resume.
func (o *ops) SyncEvents(ctx context.Context, events []EventRow) error {
	for _, ev := range events {
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if err := o.write(ctx, "event:"+ev.ID, string(b), 0); err != nil {
			return err
		}
		_, err = o.api.Values.Update(ctx, o.namespace, "sync:events:cursor", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(o.account),
			Value:     cloudflare.F(ev.Updated.UTC().Format(time.RFC3339Nano)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type orgDefaults struct {
	Currency string `json:"currency"`
	Locale   string `json:"locale"`
	FeePct   int    `json:"fee_pct"`
}

// EnsureDefaults writes the organizer's default settings if none exist yet.
func (o *ops) EnsureDefaults(ctx context.Context, orgID string) error {
	key := "org:" + orgID + ":settings"
	if _, err := o.api.Values.Get(ctx, o.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(o.account)}); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(orgDefaults{Currency: "EUR", Locale: "en-GB", FeePct: 5})
		return o.write(ctx, key, string(b), 0)
	}
	return nil
}

// EnsureBranding writes the default theme if the organizer has none.
func (o *ops) EnsureBranding(ctx context.Context, orgID string) error {
	key := "org:" + orgID + ":branding"
	res, err := o.fetch(ctx, key) // EXPECT kvnull
	if err != nil {
		return o.write(ctx, key, `{"theme":"default","accent":"#2b6cb0"}`, 0)
	}
	return res.Body.Close()
}

// Snapshot reads up to 100 keys per request for the support console.
func (o *ops) Snapshot(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += 100 {
		chunk := keys[start:min(start+100, len(keys))]
		res, err := o.api.BulkGet(ctx, o.namespace, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(o.account),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		var vals struct {
			Values map[string]*string `json:"values"`
		}
		if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &vals); err != nil {
			return nil, err
		}
		for k, v := range vals.Values {
			if v != nil {
				out[k] = *v
			}
		}
	}
	return out, nil
}
