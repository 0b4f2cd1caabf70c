//go:build js && wasm

// Package tariffs serves tariff lookups at the edge: the price a driver sees
// on the charger page and in the app before plugging in.
package tariffs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wren/internal/keys"
)

// Tariff is a simplified OCPI tariff.
type Tariff struct {
	ID          string  `json:"id"`
	Currency    string  `json:"currency"`
	EnergyPrice float64 `json:"energy_price"` // per kWh
	TimePrice   float64 `json:"time_price"`   // per hour while charging
	ParkingFee  float64 `json:"parking_fee"`  // per hour after charging
}

// roamingTariffsURL is the partner hub query for the tariffs of our roaming EVSEs.
const roamingTariffsURL = "https://ocpi.partner-hub.example.net/ocpi/2.2.1/tariffs?country_code=DE&party_id=WRN" +
	"&date_from=2024-01-01T00:00:00Z&limit=100&evse_uids=" +
	"DE*WRN*E00001,DE*WRN*E00002,DE*WRN*E00003,DE*WRN*E00004,DE*WRN*E00005,DE*WRN*E00006," +
	"DE*WRN*E00007,DE*WRN*E00008,DE*WRN*E00009,DE*WRN*E00010,DE*WRN*E00011,DE*WRN*E00012," +
	"DE*WRN*E00013,DE*WRN*E00014,DE*WRN*E00015,DE*WRN*E00016,DE*WRN*E00017,DE*WRN*E00018," +
	"DE*WRN*E00019,DE*WRN*E00020,DE*WRN*E00021,DE*WRN*E00022,DE*WRN*E00023,DE*WRN*E00024," +
	"DE*WRN*E00025,DE*WRN*E00026,DE*WRN*E00027,DE*WRN*E00028,DE*WRN*E00029,DE*WRN*E00030"

// jsonStore is what the Catalog needs for cached partner documents.
type jsonStore interface {
	Load(ctx context.Context, key string, into any) (bool, error)
	Save(ctx context.Context, key string, v any, ttl time.Duration) error
	GetRaw(ctx context.Context, key string) (string, error)
}

// Fetcher gets tariffs from the backend or a roaming partner.
type Fetcher interface {
	Tariff(ctx context.Context, id string) (Tariff, error)
	Fetch(ctx context.Context, url string) ([]Tariff, error)
}

// Catalog reads tariffs.
type Catalog struct {
	ns    func() (*kv.Namespace, error)
	store jsonStore
	src   Fetcher
}

// NewCatalog wires a Catalog.
func NewCatalog(ns func() (*kv.Namespace, error), store jsonStore, src Fetcher) *Catalog {
	return &Catalog{ns: ns, store: store, src: src}
}

// Tariff returns tariff id, reading through to the backend on a miss.
func (c *Catalog) Tariff(ctx context.Context, id string) (Tariff, error) {
	ns, err := c.ns()
	if err != nil {
		return Tariff{}, err
	}
	key := keys.Tariff(id)
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return Tariff{}, err
	}
	var t Tariff
	if v != "<null>" {
		if err := json.Unmarshal([]byte(v), &t); err == nil {
			return t, nil
		}
	}
	t, err = c.src.Tariff(ctx, id)
	if err != nil {
		return Tariff{}, err
	}
	b, _ := json.Marshal(t)
	return t, ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 600})
}

// DisplayName returns the operator-facing label of a tariff, or the ID when none was set.
func (c *Catalog) DisplayName(ctx context.Context, id string) (string, error) {
	ns, err := c.ns()
	if err != nil {
		return "", err
	}
	v, err := ns.GetString("tariff-label:"+id, nil)
	if err != nil {
		return "", err
	}
	if v == "" { // EXPECT kvnull
		return id, nil
	}
	return v, nil
}

// Surcharge returns the per-kWh surcharge configured for a site.
func (c *Catalog) Surcharge(ctx context.Context, siteID string) (float64, error) {
	ns, err := c.ns()
	if err != nil {
		return 0, err
	}
	v, err := ns.GetString("surcharge:"+siteID, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(v, 64)
}

// Roaming returns partner tariffs, cached for an hour.
func (c *Catalog) Roaming(ctx context.Context) ([]Tariff, error) {
	var ts []Tariff
	found, err := c.store.Load(ctx, keys.Digest(roamingTariffsURL), &ts)
	if err != nil {
		return nil, err
	}
	if found {
		return ts, nil
	}
	if ts, err = c.src.Fetch(ctx, roamingTariffsURL); err != nil {
		return nil, err
	}
	return ts, c.store.Save(ctx, keys.Digest(roamingTariffsURL), ts, time.Hour)
}

// RoamingRaw refreshes the partner tariffs and keeps a copy under the request URL, for the debugging endpoint.
func (c *Catalog) RoamingRaw(ctx context.Context) ([]Tariff, error) {
	ts, err := c.src.Fetch(ctx, roamingTariffsURL)
	if err != nil {
		return nil, err
	}
	if err := c.store.Save(ctx, roamingTariffsURL, ts, time.Hour); err != nil { // EXPECT kvlimits
		return nil, err
	}
	return ts, nil
}

// Announcement returns the structured banner shown above the price list.
func (c *Catalog) Announcement(ctx context.Context) (map[string]string, error) {
	raw, err := c.store.GetRaw(ctx, "banner:tariffs") // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var banner map[string]string
	if err := json.Unmarshal([]byte(raw), &banner); err != nil {
		return nil, fmt.Errorf("tariffs: banner: %w", err)
	}
	return banner, nil
}

// Handler serves GET /tariffs/{id}.
func (c *Catalog) Handler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := c.Tariff(r.Context(), r.PathValue("id"))
		if err != nil {
			http.Error(w, "tariff unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		_ = json.NewEncoder(w).Encode(t)
	}
}
