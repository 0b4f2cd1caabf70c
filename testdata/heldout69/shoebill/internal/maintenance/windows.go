// Package maintenance stores maintenance windows: periods in which devices
// at a site may install firmware and reboot. Windows come from the
// facilities calendar as CloudEvents; the rollout planner asks for the open
// windows of a site through Dapr service invocation.
package maintenance

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/protocol"
	"github.com/cloudflare/cloudflare-go"
	"github.com/dapr/go-sdk/service/common"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

// Calendar event types.
const (
	TypeScheduled = "io.shoebill.maintenance.scheduled"
	TypeImported  = "io.shoebill.maintenance.imported"
	TypeExtended  = "io.shoebill.maintenance.extended"
	TypeRecurring = "io.shoebill.maintenance.recurring"
	TypeBlackout  = "io.shoebill.maintenance.blackout"
	TypeCancelled = "io.shoebill.maintenance.cancelled"
)

const (
	grace            = 15 * time.Minute
	blackoutCooldown = 2 * time.Hour
	reminderLead     = 45
	previewSize      = 5
)

// Calendar handles window events and queries.
type Calendar struct {
	KV  *kvstore.Store
	Log *slog.Logger
	Loc *time.Location
}

type windowMeta struct {
	Start int64 `json:"s"`
	End   int64 `json:"e"`
}

// Receive is the CloudEvents receiver function.
func (c *Calendar) Receive(ctx context.Context, e event.Event) protocol.Result {
	var w fleet.Window
	if err := e.DataAs(&w); err != nil {
		return cloudevents.NewHTTPResult(http.StatusBadRequest, "window: %v", err)
	}
	if w.Site == "" {
		w.Site = e.Subject()
	}
	if w.ID == "" {
		w.ID = e.ID()
	}
	key := fleet.WindowKey(w.Site, w.ID)
	raw, _ := json.Marshal(w)

	var err error
	switch e.Type() {
	case TypeScheduled:
		err = c.KV.PutMany(ctx, []*kvstore.Pair{{
			Key:           key,
			Value:         string(raw),
			ExpirationTTL: int(max(time.Until(w.End.Add(grace)), time.Minute).Seconds()),
			Metadata:      windowMeta{Start: w.Start.Unix(), End: w.End.Unix()},
		}})
		if err == nil && time.Until(w.Start) > time.Hour {
			err = c.KV.PutExpiring(ctx, key+":reminder", []byte(w.Reason), reminderLead) // EXPECT kvttl
		}
	case TypeImported:
		err = c.KV.PutExpiring(ctx, key, raw, int(time.Until(w.End).Seconds())) // EXPECT kvttl
	case TypeExtended:
		err = c.KV.PutExpiring(ctx, key, raw, int(max(time.Until(w.End), 10*time.Second).Seconds())) // EXPECT kvttl
	case TypeRecurring:
		end := endOfDay(time.Now().In(c.Loc))
		err = c.KV.PutMany(ctx, []*kvstore.Pair{{
			Key:        key,
			Value:      string(raw),
			Expiration: int(end.Unix()), // DEBATABLE kvttl
			Metadata:   windowMeta{Start: w.Start.Unix(), End: end.Unix()},
		}})
	case TypeBlackout:
		err = c.KV.PutMany(ctx, []*kvstore.Pair{{
			Key:           fleet.WindowPrefix(w.Site) + "blackout",
			Value:         string(raw),
			ExpirationTTL: int(blackoutCooldown), // EXPECT kvttl
		}})
	case TypeCancelled:
		err = c.KV.Delete(ctx, key)
		if err == nil {
			err = c.KV.PutTTL(ctx, key+":cancelled", []byte(e.ID()), 30*time.Second)
		}
	default:
		return cloudevents.ResultACK
	}
	if err != nil {
		c.Log.Error("maintenance window", "type", e.Type(), "key", key, "err", err)
		return cloudevents.NewHTTPResult(http.StatusServiceUnavailable, "%v", err)
	}
	return cloudevents.ResultACK
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

// Register adds the query handlers to the Dapr service.
func (c *Calendar) Register(s common.Service) error {
	return errors.Join(
		s.AddServiceInvocationHandler("maintenance/open", c.Open),
		s.AddServiceInvocationHandler("maintenance/preview", c.Preview),
	)
}

// Open returns the windows of a site that are open now.
func (c *Calendar) Open(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	q, _ := url.ParseQuery(in.QueryString)
	site := q.Get("site")
	resp, err := c.KV.API.ListWorkersKVKeys(ctx, c.KV.RC, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: c.KV.NS,
		Prefix:      fleet.WindowPrefix(site),
	})
	if err != nil {
		return nil, err
	}
	now := time.Now().Unix()
	open := []string{}
	for _, k := range resp.Result {
		var m windowMeta
		if b, err := json.Marshal(k.Metadata); err == nil && json.Unmarshal(b, &m) == nil {
			if m.Start <= now && now < m.End {
				open = append(open, k.Name[len(fleet.WindowPrefix(site)):])
			}
		}
	}
	out, _ := json.Marshal(map[string]any{"site": site, "open": open})
	return &common.Content{Data: out, ContentType: "application/json"}, nil
}

// Preview shows the first few windows of a site on the planner's sidebar.
func (c *Calendar) Preview(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	q, _ := url.ParseQuery(in.QueryString)
	resp, err := c.KV.API.ListWorkersKVKeys(ctx, c.KV.RC, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.KV.NS,
		Prefix:      fleet.WindowPrefix(q.Get("site")),
		Limit:       previewSize, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		names = append(names, k.Name)
	}
	out, _ := json.Marshal(map[string]any{"windows": names, "more": resp.Cursor != ""})
	return &common.Content{Data: out, ContentType: "application/json"}, nil
}
