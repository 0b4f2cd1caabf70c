package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"goldcrest/internal/cfkv"
	"goldcrest/internal/clock"
	"goldcrest/internal/model"
)

// CloseShifts closes shifts that ended more than Grace ago and were never
// closed from the app.
type CloseShifts struct {
	KV     *cfkv.Namespace // COURIER_KV
	Clock  clock.Clock
	Grace  time.Duration
	Budget int
}

// Name implements Job.
func (CloseShifts) Name() string { return "close-shifts" }

// Run implements Job.
func (j CloseShifts) Run(ctx context.Context) error {
	now := j.Clock.Now()
	closed := 0
	return j.KV.Walk(ctx, "shift:", func(key string, _ cfkv.Meta) error {
		var sh model.Shift
		if err := j.KV.Load(ctx, key, &sh); err != nil { // EXPECT kvlist
			return err
		}
		if sh.Closed || now.Before(sh.EndsAt.Add(j.Grace)) {
			return nil
		}
		sh.Closed = true
		sh.Rev++
		if err := j.KV.Save(ctx, key, sh, 7*24*time.Hour); err != nil { // EXPECT kvrace
			return err
		}
		closed++
		if closed >= j.Budget {
			return cfkv.ErrStop
		}
		return nil
	})
}

// deliveredSQL is the analytics query behind the depot dashboard's weekly
// delivered report.
const deliveredSQL = `SELECT d.depot_id, d.name, date_trunc('day', s.delivered_at) AS day,
       count(*) FILTER (WHERE s.status = 'delivered') AS delivered,
       count(*) FILTER (WHERE s.status = 'attempted') AS attempted,
       count(*) FILTER (WHERE s.status = 'returned') AS returned,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.delivered_at - s.out_for_delivery_at)) AS median_seconds,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM s.delivered_at - s.out_for_delivery_at)) AS p90_seconds
  FROM shipments s
  JOIN depots d ON d.depot_id = s.depot_id
 WHERE s.delivered_at >= now() - interval '7 days'
   AND d.active
 GROUP BY d.depot_id, d.name, date_trunc('day', s.delivered_at)
 ORDER BY d.depot_id, day`

// RollupDelivered copies yesterday's delivered figures from the analytics
// service into KV for the dashboards.
type RollupDelivered struct {
	KV        *cfkv.Namespace // DISPATCH_KV
	Clock     clock.Clock
	Analytics string
	HTTP      *http.Client
}

// Name implements Job.
func (RollupDelivered) Name() string { return "rollup-delivered" }

type depotFigure struct {
	DepotID   string `json:"depot_id"`
	Delivered int    `json:"delivered"`
}

// Run implements Job.
func (j RollupDelivered) Run(ctx context.Context) error {
	day := j.Clock.Now().AddDate(0, 0, -1).Format("2006-01-02")
	raw, err := j.call(ctx, http.MethodGet, "/v1/delivered?day="+day, nil)
	if err != nil {
		return err
	}
	var figures []depotFigure
	if err := json.Unmarshal(raw, &figures); err != nil {
		return err
	}
	for _, f := range figures {
		key := "stats:delivered-count:" + f.DepotID + ":" + day
		if err := j.KV.Put(ctx, key, []byte(strconv.Itoa(f.Delivered)), 8*24*time.Hour); err != nil { // DEBATABLE kvcounter
			return err
		}
		if err := j.KV.Put(ctx, "jobs:rollup:checkpoint", []byte(f.DepotID), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	body, err := j.call(ctx, http.MethodPost, "/v1/query", strings.NewReader(deliveredSQL))
	if err != nil {
		return err
	}
	if err := j.KV.Put(ctx, "report:"+deliveredSQL, body, 24*time.Hour); err != nil { // EXPECT kvlimits
		return err
	}
	return nil
}

func (j RollupDelivered) call(ctx context.Context, method, path string, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, j.Analytics+path, body)
	if err != nil {
		return nil, err
	}
	resp, err := j.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("analytics %s: %s", path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// weekMinutes is the number of one-minute booking slots in a week.
const weekMinutes = 7 * 24 * 60

// PrewarmSlots writes the booking-slot skeleton of a depot for the coming
// week, so the Worker's slot picker can read slots without a database call.
type PrewarmSlots struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
	DepotID     string
	Clock       clock.Clock
}

// Name implements Job.
func (j PrewarmSlots) Name() string { return "prewarm-slots:" + j.DepotID }

// Run implements Job.
func (j PrewarmSlots) Run(ctx context.Context) error {
	start := j.Clock.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, weekMinutes)
	for m := 0; m < weekMinutes; m++ {
		slot := start.Add(time.Duration(m) * time.Minute)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("slot:" + j.DepotID + ":" + slot.Format("200601021504")),
			Value:      cloudflare.F("open"),
			Expiration: cloudflare.F(float64(slot.Add(time.Hour).Unix())),
		})
	}
	res, err := j.API.KV.Namespaces.BulkUpdate(ctx, j.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(j.AccountID), Body: body}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("prewarm: %d slots not written", n)
	}
	return nil
}

// noticeDisclaimer travels with every depot notice so that the tracking
// page can render it from the listing without reading the value.
const noticeDisclaimer = "Delivery times shown on this page are estimates provided for your convenience only. " +
	"Goldcrest Logistics and its delivery partners do not guarantee that a parcel will be delivered within the " +
	"time window shown, and the window may change during the day as routes are re-planned. If a depot is closed " +
	"because of severe weather, a public holiday, a power cut, a strike or any other event outside our reasonable " +
	"control, parcels will be held securely at the depot and delivery will be attempted on the next working day. " +
	"Parcels held at a depot for more than fourteen days will be returned to the sender. Recipients who wish to " +
	"collect a parcel in person must bring photo identification and the tracking reference; a nominated person " +
	"may collect on a recipient's behalf with a signed authorisation. Perishable goods cannot be held and will be " +
	"returned on the same day. For questions about compensation for late or damaged parcels please contact the " +
	"sender first, as the contract of carriage is between the sender and Goldcrest Logistics. Opening hours of " +
	"every depot are listed on our website."

// PublishNotices copies the depots' current notices into the tracking
// namespace.
type PublishNotices struct {
	KV    *cfkv.Namespace // TRACKING_KV
	Ops   string
	HTTP  *http.Client
	Clock clock.Clock
}

// Name implements Job.
func (PublishNotices) Name() string { return "publish-notices" }

type depotNotice struct {
	DepotID string `json:"depot"`
	Text    string `json:"text"`
}

// Run implements Job.
func (j PublishNotices) Run(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.Ops+"/v1/notices", nil)
	if err != nil {
		return err
	}
	resp, err := j.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var notices []depotNotice
	if err := json.NewDecoder(resp.Body).Decode(&notices); err != nil {
		return err
	}
	for _, n := range notices {
		if err := j.KV.PutMeta(ctx, "notice:"+n.DepotID, []byte(n.Text), cfkv.Meta{"depot": n.DepotID, "disclaimer": noticeDisclaimer}, 26*time.Hour); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// SlotSummary writes one summary per depot and hour for the coming day with
// the chunked bulk writer.
type SlotSummary struct {
	KV      *cfkv.Namespace // TRACKING_KV
	Clock   clock.Clock
	Depots  []string
	PerHour int
}

// Name implements Job.
func (SlotSummary) Name() string { return "slot-summary" }

// Run implements Job.
func (j SlotSummary) Run(ctx context.Context) error {
	day := j.Clock.Now().AddDate(0, 0, 1).Format("2006-01-02")
	entries := make([]cfkv.Entry, 0, len(j.Depots)*24)
	for _, d := range j.Depots {
		for h := 0; h < 24; h++ {
			entries = append(entries, cfkv.Entry{
				Key:   fmt.Sprintf("slots:%s:%s:%02d", d, day, h),
				Value: strconv.Itoa(j.PerHour),
				TTL:   48 * time.Hour,
			})
		}
	}
	return j.KV.BulkPut(ctx, entries)
}
