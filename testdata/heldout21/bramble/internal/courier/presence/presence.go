// Package presence tracks where on-shift couriers are. The courier app pings
// every ten seconds; pings are stored per courier with their coordinates in
// key metadata so that dispatch can find nearby couriers from a listing.
package presence

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/bramble/internal/courier/assign"
	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/httpx"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

const (
	locationStaleAfter = 30 * time.Second
	nearbyScanBudget   = 300
)

// Ping is one location report from the courier app.
type Ping struct {
	Courier ids.CourierID `json:"courier"`
	Zone    ids.ZoneID    `json:"zone"`
	Lat     float64       `json:"lat"`
	Lng     float64       `json:"lng"`
	Vehicle string        `json:"vehicle"`
	At      time.Time     `json:"at"`
}

// Geo resolves restaurant coordinates.
type Geo interface {
	RestaurantLocation(ctx context.Context, id ids.RestaurantID) (lat, lng float64, err error)
}

// Tracker stores pings and answers proximity queries.
type Tracker struct {
	kv        kvstore.Store
	geo       Geo
	publisher *ZonePublisher
}

// NewTracker wires a tracker.
func NewTracker(kv kvstore.Store, geo Geo, pub *ZonePublisher) *Tracker {
	return &Tracker{kv: kv, geo: geo, publisher: pub}
}

func locKey(z ids.ZoneID, c ids.CourierID) string {
	return "courier:loc:" + string(z) + ":" + string(c)
}

// Record stores a ping.
func (t *Tracker) Record(ctx context.Context, p Ping) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = t.kv.Put(ctx, locKey(p.Zone, p.Courier), body,
		kvstore.WithTTL(locationStaleAfter), // EXPECT kvttl
		kvstore.WithMetadata(
			"lat", strconv.FormatFloat(p.Lat, 'f', 5, 64),
			"lng", strconv.FormatFloat(p.Lng, 'f', 5, 64),
			"vehicle", p.Vehicle,
		))
	if err != nil {
		return fmt.Errorf("record ping: %w", err)
	}
	t.publisher.Observe(p)
	return nil
}

// Nearby implements assign.Locator from the listing metadata. It scans at
// most nearbyScanBudget couriers in the zone.
func (t *Tracker) Nearby(ctx context.Context, zone ids.ZoneID, restaurant ids.RestaurantID) ([]assign.Candidate, error) {
	rlat, rlng, err := t.geo.RestaurantLocation(ctx, restaurant)
	if err != nil {
		return nil, err
	}
	prefix := "courier:loc:" + string(zone) + ":"
	keys, _, err := kvstore.Take(ctx, t.kv, kvstore.Keys(prefix).Limit(100), nearbyScanBudget)
	if err != nil {
		return nil, err
	}
	out := make([]assign.Candidate, 0, len(keys))
	for _, k := range keys {
		lat, err1 := strconv.ParseFloat(k.Metadata["lat"], 64)
		lng, err2 := strconv.ParseFloat(k.Metadata["lng"], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, assign.Candidate{
			Courier:   ids.CourierID(strings.TrimPrefix(k.Name, prefix)),
			Zone:      zone,
			DistanceM: int(haversine(rlat, rlng, lat, lng)),
			Vehicle:   k.Metadata["vehicle"],
		})
	}
	return out, nil
}

func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// Routes returns the ping endpoint used by the courier app.
func (t *Tracker) Routes() []httpx.Route {
	return []httpx.Route{{Pattern: "POST /v1/courier/ping", Handler: t.handlePing}}
}

func (t *Tracker) handlePing(w http.ResponseWriter, r *http.Request) error {
	var p Ping
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	if _, err := ids.ParseCourierID(string(p.Courier)); err != nil {
		return err
	}
	p.At = time.Now().UTC()
	if err := t.Record(r.Context(), p); err != nil {
		return err
	}
	stamp := []byte(p.At.Format(time.RFC3339Nano))
	if err := t.kv.Put(r.Context(), "presence:last-ping", stamp); err != nil { // EXPECT kvhotkey
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ZoneSummary is the published view of one zone.
type ZoneSummary struct {
	Zone      ids.ZoneID `json:"zone"`
	Couriers  int        `json:"couriers"`
	ByVehicle map[string]int
	At        time.Time `json:"at"`
}

// ZonePublisher collects pings and writes each zone's summary at most once
// per delay, however many pings arrive in between.
type ZonePublisher struct {
	mu      sync.Mutex
	delay   time.Duration
	seen    map[ids.ZoneID]map[ids.CourierID]string
	timer   *time.Timer
	store   typed.Store[ids.ZoneID, ZoneSummary]
	onError func(error)
}

// NewZonePublisher returns a publisher writing under "presence:zone:".
func NewZonePublisher(kv kvstore.Store, delay time.Duration, onError func(error)) *ZonePublisher {
	return &ZonePublisher{
		delay:   max(delay, 5*time.Second),
		seen:    make(map[ids.ZoneID]map[ids.CourierID]string),
		store:   typed.New[ids.ZoneID, ZoneSummary](kv, "presence:zone:").WithOptions(kvstore.WithTTL(10 * time.Minute)),
		onError: onError,
	}
}

// Observe records a ping and schedules a flush if none is pending.
func (p *ZonePublisher) Observe(ping Ping) {
	p.mu.Lock()
	defer p.mu.Unlock()
	zone := p.seen[ping.Zone]
	if zone == nil {
		zone = make(map[ids.CourierID]string)
		p.seen[ping.Zone] = zone
	}
	zone[ping.Courier] = ping.Vehicle
	if p.timer == nil {
		p.timer = time.AfterFunc(p.delay, p.flush)
	}
}

func (p *ZonePublisher) flush() {
	p.mu.Lock()
	pending := p.seen
	p.seen = make(map[ids.ZoneID]map[ids.CourierID]string)
	p.timer = nil
	p.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := time.Now().UTC()
	for zone, couriers := range pending {
		sum := ZoneSummary{Zone: zone, Couriers: len(couriers), ByVehicle: map[string]int{}, At: now}
		for _, v := range couriers {
			sum.ByVehicle[v]++
		}
		if err := p.store.Put(ctx, zone, sum); err != nil && p.onError != nil {
			p.onError(err)
		}
	}
}

// Heatmap is the city-wide view shown on the operations wall screen: the
// last time each grid cell saw a courier.
type Heatmap struct {
	Cells map[string]time.Time `json:"cells"`
	At    time.Time            `json:"at"`
}

// Merge fans several ping feeds into one channel that closes when all feeds
// are closed or ctx ends.
func Merge(ctx context.Context, feeds ...<-chan Ping) <-chan Ping {
	out := make(chan Ping)
	var wg sync.WaitGroup
	for _, feed := range feeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range feed {
				select {
				case out <- p:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// RunHeatmap consumes the regional ping feeds and keeps the wall-screen
// heatmap current. Pings without a zone are reported on alerts; a slow
// alert consumer is skipped, not waited for.
func RunHeatmap(ctx context.Context, kv kvstore.Store, alerts chan<- Ping, feeds ...<-chan Ping) error {
	store := typed.New[string, Heatmap](kv, "presence:")
	hm := Heatmap{Cells: map[string]time.Time{}}
	for p := range Merge(ctx, feeds...) {
		cell := fmt.Sprintf("%.2f,%.2f", p.Lat, p.Lng)
		hm.Cells[cell] = p.At
		hm.At = time.Now().UTC()
		if p.Zone == "" {
			select {
			case alerts <- p:
			default:
			}
		}
		if err := store.Put(ctx, "heatmap", hm, kvstore.WithTTL(time.Hour)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return ctx.Err()
}
