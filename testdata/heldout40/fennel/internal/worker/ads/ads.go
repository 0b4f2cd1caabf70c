//go:build js && wasm

// Package ads manages dynamic ad-slot inventory for episodes: pre-roll,
// mid-roll and post-roll positions that campaigns reserve at the edge.
package ads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/podloft/fennel/internal/codec"
	"github.com/podloft/fennel/internal/edgekv"
	"github.com/podloft/fennel/internal/keys"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

// Kind is an ad position within an episode.
type Kind string

const (
	PreRoll  Kind = "pre"
	MidRoll  Kind = "mid"
	PostRoll Kind = "post"
)

const (
	creativeTTL = time.Hour
	lastSyncKey = "adslot:last-sync"
	houseVAST   = "https://ads.podloft.example/vast/v4/house?show=[SHOW_ID]&episode=[EPISODE_ID]&pos=[POSITION]" +
		"&cb=[CACHEBUSTING]&gdpr=[GDPR]&gdpr_consent=[GDPR_CONSENT]&us_privacy=[US_PRIVACY]&gpp=[GPP_STRING]" +
		"&gpp_sid=[GPP_SECTION_ID]&ip=[IP_ADDRESS]&ua=[USER_AGENT]&ts=[TIMESTAMP]&lang=[LANGUAGE]&cat=[CATEGORY]" +
		"&dur=[EPISODE_DURATION]&offset=[BREAK_OFFSET]&device=[DEVICE_TYPE]&app=[APP_BUNDLE]&country=[COUNTRY]" +
		"&region=[REGION]&dma=[DMA]&listener=[LISTENER_ID]&session=[SESSION_ID]&tier=[TIER]&fmt=audio%2Fmpeg" +
		"&min_bitrate=64&max_bitrate=192&vast_version=4.2&house_fallback=1&tracking=impression%2Cquartile%2Ccomplete"
	houseCreativeKey = string(keys.Creatives) + houseVAST
)

var (
	ErrSoldOut = errors.New("ads: slot sold out")
	ErrTaken   = errors.New("ads: position already claimed")
)

// Reservation is the body of a reserve request.
type Reservation struct {
	Campaign string         `json:"campaign"`
	Episode  keys.EpisodeID `json:"episode"`
	Kind     Kind           `json:"kind"`
	Pos      int            `json:"pos"`
	Count    int64          `json:"impressions"`
}

// Inventory is the gob-encoded record under a SlotKey.
type Inventory struct {
	Remaining int64
	Campaigns []string
	Updated   time.Time
}

// Strategy reserves inventory for one kind of position.
type Strategy interface {
	Reserve(ctx context.Context, st *edgekv.Store, r Reservation) error
}

// strategies is chosen by the kind in the request body.
var strategies = map[Kind]Strategy{
	PreRoll:  impressionPool{},
	MidRoll:  exclusivePosition{},
	PostRoll: bookingLog{},
}

// impressionPool sells pre-roll impressions out of a shared pool per episode.
type impressionPool struct{}

func (impressionPool) Reserve(_ context.Context, st *edgekv.Store, r Reservation) error {
	key := keys.SlotKey{Episode: r.Episode, Kind: string(r.Kind)}
	raw, ok, err := st.Lookup(key)
	if err != nil {
		return err
	}
	if !ok {
		return ErrSoldOut
	}
	var inv Inventory
	if err := codec.Ungob(raw, &inv); err != nil {
		return err
	}
	if inv.Remaining < r.Count {
		return ErrSoldOut
	}
	inv.Remaining -= r.Count
	inv.Campaigns = append(inv.Campaigns, r.Campaign)
	inv.Updated = time.Now().UTC()
	return st.Put(key, codec.Must(codec.Gob(inv)), 0) // EXPECT kvcounter|kvrace
}

// exclusivePosition gives one mid-roll position to exactly one campaign.
type exclusivePosition struct{}

func (exclusivePosition) Reserve(_ context.Context, st *edgekv.Store, r Reservation) error {
	claim := keys.ClaimKey{Episode: r.Episode, Kind: string(r.Kind), Pos: r.Pos}
	_, taken, err := st.Lookup(claim)
	if err != nil {
		return err
	}
	if taken {
		return ErrTaken
	}
	return st.Put(claim, r.Campaign, 0) // EXPECT kvrace
}

// bookingLog appends post-roll bookings; post-rolls are not exclusive.
type bookingLog struct{}

type booking struct {
	Campaign string    `json:"campaign"`
	Count    int64     `json:"n"`
	At       time.Time `json:"at"`
}

func (bookingLog) Reserve(_ context.Context, st *edgekv.Store, r Reservation) error {
	key := edgekv.Join(string(keys.AdBookings)+string(r.Episode), string(r.Kind))
	return st.Update(key, 0, func(old string) (string, error) {
		var log []booking
		if old != "" {
			if err := json.Unmarshal([]byte(old), &log); err != nil {
				return "", err
			}
		}
		log = append(log, booking{Campaign: r.Campaign, Count: r.Count, At: time.Now().UTC()})
		b, err := json.Marshal(log)
		return string(b), err
	})
}

// Desk serves the ad operations API used by the sales dashboard.
type Desk struct {
	st      *edgekv.Store
	adsHost string
	ops     map[string]func(ctx context.Context, d *Desk, r *http.Request) (any, error)
}

// NewDesk returns the operations desk over the ads namespace.
func NewDesk(st *edgekv.Store, adsHost string) *Desk {
	d := &Desk{st: st, adsHost: adsHost}
	d.ops = map[string]func(context.Context, *Desk, *http.Request) (any, error){
		"reserve":  reserve,
		"release":  release,
		"sync":     syncInventory,
		"creative": creative,
		"house":    houseCreative,
	}
	return d
}

// ServeHTTP dispatches on the op query parameter.
func (d *Desk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := d.ops[r.URL.Query().Get("op")]
	if !ok {
		http.Error(w, "unknown op", http.StatusBadRequest)
		return
	}
	out, err := op(r.Context(), d, r)
	switch {
	case errors.Is(err, ErrSoldOut), errors.Is(err, ErrTaken):
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func reserve(ctx context.Context, d *Desk, r *http.Request) (any, error) {
	var res Reservation
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil {
		return nil, err
	}
	strat, ok := strategies[res.Kind]
	if !ok {
		return nil, fmt.Errorf("ads: unknown kind %q", res.Kind)
	}
	if err := strat.Reserve(ctx, d.st, res); err != nil {
		return nil, err
	}
	return map[string]string{"status": "reserved"}, nil
}

func release(_ context.Context, d *Desk, r *http.Request) (any, error) {
	q := r.URL.Query()
	pos, _ := strconv.Atoi(q.Get("pos"))
	claim := keys.ClaimKey{Episode: keys.EpisodeID(q.Get("episode")), Kind: q.Get("kind"), Pos: pos}
	holder, err := d.st.Namespace().GetString(claim.String(), nil)
	if err != nil {
		return nil, err
	}
	if holder == "" { // EXPECT kvnull
		return map[string]string{"status": "not-claimed"}, nil
	}
	if holder != q.Get("campaign") {
		return nil, ErrTaken
	}
	if err := d.st.Delete(claim); err != nil {
		return nil, err
	}
	return map[string]string{"status": "released"}, nil
}

// syncInventory loads the sales plan for an episode and stages one
// inventory record per position.
func syncInventory(ctx context.Context, d *Desk, r *http.Request) (any, error) {
	var plan struct {
		Episode keys.EpisodeID `json:"episode"`
		Slots   []struct {
			Kind        Kind  `json:"kind"`
			Pos         int   `json:"pos"`
			Impressions int64 `json:"impressions"`
		} `json:"slots"`
	}
	if err := json.NewDecoder(r.Body).Decode(&plan); err != nil {
		return nil, err
	}
	uow := d.st.Batch()
	stamp := string(codec.Stamp(nil, time.Now()))
	for _, s := range plan.Slots {
		inv := Inventory{Remaining: s.Impressions, Updated: time.Now().UTC()}
		key := keys.SlotKey{Episode: plan.Episode, Kind: string(s.Kind), Pos: s.Pos}
		uow.Put(key, codec.Must(codec.Gob(inv)), 0)
		uow.Put(keys.Static(lastSyncKey), stamp, 0) // EXPECT kvhotkey
	}
	n, err := uow.Commit(ctx)
	return map[string]int{"written": n}, err
}

// creative returns creative metadata, cached in KV in front of the ad server.
func creative(ctx context.Context, d *Desk, r *http.Request) (any, error) {
	id := r.URL.Query().Get("id")
	key := keys.Creatives.With(id)
	cached, err := d.st.Namespace().GetString(key, &kv.GetOptions{CacheTTL: 600})
	if err != nil {
		return nil, err
	}
	if cached != "<null>" {
		return json.RawMessage(cached), nil
	}
	body, err := d.fetchCreative(ctx, d.adsHost+"/creatives/"+id)
	if err != nil {
		return nil, err
	}
	if err := d.st.Namespace().PutString(key, body, &kv.PutOptions{ExpirationTTL: int(creativeTTL.Seconds())}); err != nil {
		return nil, err
	}
	return json.RawMessage(body), nil
}

// houseCreative caches the house-ad VAST response used when nothing is sold.
func houseCreative(ctx context.Context, d *Desk, _ *http.Request) (any, error) {
	v, ok, err := d.st.Lookup(keys.Static(houseCreativeKey)) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	if ok {
		return v, nil
	}
	body, err := d.fetchCreative(ctx, houseVAST)
	if err != nil {
		return nil, err
	}
	return body, d.st.Put(keys.Static(houseCreativeKey), body, creativeTTL) // EXPECT kvlimits
}

func (d *Desk) fetchCreative(ctx context.Context, url string) (string, error) {
	req, err := fetch.NewRequest(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
