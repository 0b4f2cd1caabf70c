// Package fleet maintains fleet-wide views of the registry: the summary shown
// on the console home page, the inventory export and activity markers. It
// reads the registry namespace with the API client directly.
package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/cobalt/internal/storage/kvstore"
)

// Summary is the fleet overview.
type Summary struct {
	Devices   int            `json:"devices"`
	Retired   int            `json:"retired"`
	ByModel   map[string]int `json:"by_model"`
	Generated time.Time      `json:"generated"`
}

// Item is one device in an inventory page.
type Item struct {
	Key    string          `json:"key"`
	Record json.RawMessage `json:"record"`
}

// Service builds fleet views.
type Service struct {
	b          kvstore.Binding
	keyPrefix  string
	summaryTTL time.Duration
	log        *slog.Logger
}

// NewService returns a fleet service. keyPrefix is the prefix under which
// the registry stores its keys, including any tenant namespace.
func NewService(b kvstore.Binding, keyPrefix string, summaryTTL time.Duration, log *slog.Logger) *Service {
	return &Service{b: b, keyPrefix: keyPrefix, summaryTTL: summaryTTL, log: log}
}

func (s *Service) summaryKey() string { return s.keyPrefix + "fleet:summary" }

// Rebuild recomputes the summary from device key metadata and stores it.
func (s *Service) Rebuild(ctx context.Context) (Summary, error) {
	sum := Summary{ByModel: map[string]int{}, Generated: time.Now().UTC()}
	iter := s.b.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.b.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.b.AccountID),
		Prefix:    cloudflare.F(s.keyPrefix + "device:"),
	})
	for iter.Next() {
		meta, _ := iter.Current().Metadata.(map[string]any)
		if retired, _ := meta["retired"].(bool); retired {
			sum.Retired++
			continue
		}
		sum.Devices++
		model, _ := meta["model"].(string)
		sum.ByModel[model]++
	}
	if err := iter.Err(); err != nil {
		return Summary{}, fmt.Errorf("fleet: list devices: %w", err)
	}
	body, _ := json.Marshal(sum)
	_, err := s.b.Client.KV.Namespaces.Values.Update(ctx, s.b.NamespaceID, s.summaryKey(), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.b.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(float64(s.summaryTTL)), // EXPECT kvttl
	})
	return sum, err
}

// Refresh rebuilds the summary every interval until ctx ends.
func (s *Service) Refresh(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Rebuild(ctx); err != nil {
				s.log.WarnContext(ctx, "fleet summary refresh failed", "err", err)
			}
		}
	}
}

// Current returns the stored summary.
func (s *Service) Current(ctx context.Context) (Summary, bool, error) {
	res, err := s.b.Client.KV.Namespaces.Values.Get(ctx, s.b.NamespaceID, s.summaryKey(), s.b.GetParams())
	if kvstore.IsNotFound(err) {
		return Summary{}, false, nil
	}
	if err != nil {
		return Summary{}, false, err
	}
	body, err := kvstore.ReadBody(res)
	if err != nil {
		return Summary{}, false, err
	}
	var sum Summary
	err = json.Unmarshal(body, &sum)
	return sum, err == nil, err
}

// Touch records that the API handled a request just now.
func (s *Service) Touch(ctx context.Context, route string) error {
	body, _ := json.Marshal(map[string]any{"route": route, "at": time.Now().UTC()})
	_, err := s.b.Client.KV.Namespaces.Values.Update(ctx, s.b.NamespaceID, s.keyPrefix+"fleet:last_activity", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(s.b.AccountID),
		Value:     cloudflare.F(string(body)),
	})
	return err
}

// Inventory returns one page of full device records for export, and the
// cursor for the next page.
func (s *Service) Inventory(ctx context.Context, cursor string) ([]Item, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.b.AccountID),
		Prefix:    cloudflare.F(s.keyPrefix + "device:"),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.b.Client.KV.Namespaces.Keys.List(ctx, s.b.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	items := make([]Item, 0, len(page.Result))
	for _, k := range page.Result {
		res, err := s.b.Client.KV.Namespaces.Values.Get(ctx, s.b.NamespaceID, k.Name, s.b.GetParams()) // EXPECT kvlist
		if err != nil {
			if kvstore.IsNotFound(err) {
				continue
			}
			return nil, "", err
		}
		body, err := kvstore.ReadBody(res)
		if err != nil {
			return nil, "", err
		}
		items = append(items, Item{Key: k.Name, Record: body})
	}
	return items, page.ResultInfo.Cursor, nil
}

// FirmwareVersions returns the firmware staged for each device, reading the
// target keys in bulk.
func (s *Service) FirmwareVersions(ctx context.Context, devices []string) (map[string]string, error) {
	out := make(map[string]string, len(devices))
	for start := 0; start < len(devices); start += 100 {
		batch := devices[start:min(start+100, len(devices))]
		keys := make([]string, len(batch))
		for i, d := range batch {
			keys[i] = s.keyPrefix + "fw:target:" + d
		}
		res, err := s.b.Client.KV.Namespaces.Keys.BulkGet(ctx, s.b.NamespaceID, kv.NamespaceKeyBulkGetParams{ // EXPECT kvnull
			AccountID: cloudflare.F(s.b.AccountID),
			Keys:      cloudflare.F(keys),
			Type:      cloudflare.F(kv.NamespaceKeyBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		vals, _ := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult)
		for i, d := range batch {
			out[d] = fmt.Sprint(vals.Values[keys[i]])
		}
	}
	return out, nil
}
