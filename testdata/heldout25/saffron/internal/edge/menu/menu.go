//go:build js && wasm

// Package menu serves published menus from KV at the edge. The namespace is
// package state set once by the worker's main.
package menu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
)

// ErrNoMenu is returned when a venue has nothing published.
var ErrNoMenu = errors.New("menu: not published")

var (
	kvns   *kv.Namespace
	origin string
)

// Init sets the namespace and the origin used to fill cache misses.
func Init(ns *kv.Namespace, originURL string) {
	kvns = ns
	origin = strings.TrimSuffix(originURL, "/")
}

func lookup(key string) (string, error) {
	return kvns.GetString(key, nil)
}

func put(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return kvns.PutString(key, string(b), opts)
}

// Current returns the published menu of a venue.
func Current(venueID string) (domain.Menu, error) {
	v, err := kvns.GetString(keys.Menu(venueID), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return domain.Menu{}, err
	}
	if v == "" { // EXPECT kvnull
		return domain.Menu{}, ErrNoMenu
	}
	var m domain.Menu
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return domain.Menu{}, fmt.Errorf("menu %s: %w", venueID, err)
	}
	return m, nil
}

// Item returns one menu item, filling the cache from the origin on a miss.
func Item(venueID, itemID string) (domain.MenuItem, error) {
	key := keys.MenuItem(venueID, itemID)
	v, err := kvns.GetString(key, &kv.GetOptions{CacheTTL: 120})
	if err != nil {
		return domain.MenuItem{}, err
	}
	var it domain.MenuItem
	if v != "<null>" {
		err := json.Unmarshal([]byte(v), &it)
		return it, err
	}
	if err := fetchJSON(fmt.Sprintf("%s/v1/venues/%s/items/%s", origin, venueID, itemID), &it); err != nil {
		return domain.MenuItem{}, err
	}
	if err := put(key, it, 15*time.Minute); err != nil {
		return domain.MenuItem{}, err
	}
	return it, nil
}

// Banner returns the free-text banner shown above the menu.
func Banner(venueID string) (string, error) {
	s, err := lookup("banner:" + venueID)
	if err != nil {
		return "", err
	}
	if len(s) == 0 { // EXPECT kvnull
		return "", nil
	}
	return s, nil
}

// AppendNotice adds a line to the venue's notice board.
func AppendNotice(venueID, line string) error {
	key := "notice:" + venueID
	old, err := kvns.GetString(key, nil)
	if err != nil {
		return err
	}
	if old == "<null>" {
		old = ""
	}
	stamped := time.Now().UTC().Format("15:04") + " " + line
	return kvns.PutString(key, strings.TrimPrefix(old+"\n"+stamped, "\n"), nil) // EXPECT kvrace
}

// RecordView counts a menu view for the daily popularity chart.
func RecordView(venueID string) error {
	key := fmt.Sprintf("views:%s:%s", venueID, time.Now().UTC().Format("20060102"))
	raw, err := lookup(key)
	if err != nil {
		return err
	}
	n := 0
	if raw != "<null>" {
		n, _ = strconv.Atoi(raw)
	}
	return kvns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}) // EXPECT kvcounter
}

// PublishProgressively writes items one at a time so partially published menus
// become visible as the loop advances.
func PublishProgressively(m domain.Menu) error {
	partial := domain.Menu{VenueID: m.VenueID, Revision: m.Revision, Audit: m.Audit}
	for _, it := range m.Items {
		if err := put(keys.MenuItem(m.VenueID, it.ID), it, 0); err != nil {
			return err
		}
		partial.Items = append(partial.Items, it)
		if err := put(keys.Menu(m.VenueID), partial, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Publish writes every item under its own key, then the menu document once.
func Publish(m domain.Menu) error {
	for _, it := range m.Items {
		if err := put(keys.MenuItem(m.VenueID, it.ID), it, 0); err != nil {
			return err
		}
	}
	if err := put(keys.MenuVersion(m.VenueID, m.Revision), m, 30*24*time.Hour); err != nil {
		return err
	}
	return put(keys.Menu(m.VenueID), m, 0)
}

// Handler serves GET /v1/venues/{venue}/menu.
func Handler(w http.ResponseWriter, r *http.Request) {
	venueID := r.PathValue("venue")
	m, err := Current(venueID)
	if errors.Is(err, ErrNoMenu) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	go func() { _ = RecordView(venueID) }()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_ = json.NewEncoder(w).Encode(m)
}

func fetchJSON(url string, dst any) error {
	req, err := fetch.NewRequest(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("origin %s: %d %s", url, res.StatusCode, b)
	}
	return json.NewDecoder(res.Body).Decode(dst)
}
