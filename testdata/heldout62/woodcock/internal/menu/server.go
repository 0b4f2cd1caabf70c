// Package menu serves restaurant menus and availability to the apps and to
// restaurant tablets. Menus are authored in the catalog database; KV holds the
// rendered copies the edge reads and the per-restaurant availability switch.
package menu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/fleetbite/woodcock/internal/kvstore"
	"github.com/fleetbite/woodcock/internal/menu/menuapi"
)

// ErrNoMenu is returned by a Catalog for a restaurant without a published menu.
var ErrNoMenu = errors.New("menu: no published menu")

// Catalog is the authoring database.
type Catalog interface {
	Menu(ctx context.Context, restaurantID, locale string) (*menuapi.Menu, error)
}

// Server implements menuapi.StrictServerInterface.
type Server struct {
	kv      *kvstore.Namespace
	catalog Catalog
	locales []string
}

var _ menuapi.StrictServerInterface = (*Server)(nil)

func NewServer(ns *kvstore.Namespace, catalog Catalog, locales []string) *Server {
	return &Server{kv: ns, catalog: catalog, locales: locales}
}

const renderTTL = 15 * time.Second

func sourceKey(restaurantID string) string { return "menu:" + restaurantID + ":src" }
func renderKey(restaurantID, locale string) string {
	return "menu:" + restaurantID + ":render:" + locale
}

type settings struct {
	RestaurantID   string `json:"restaurantId"`
	PrepMinutes    int    `json:"prepMinutes"`
	AcceptsCash    bool   `json:"acceptsCash"`
	AutoAcceptMins int    `json:"autoAcceptMins"`
}

func (s *Server) ListFeatured(ctx context.Context, _ menuapi.ListFeaturedRequestObject) (menuapi.ListFeaturedResponseObject, error) {
	res, err := s.kv.API().KV.Namespaces.Keys.List(ctx, s.kv.ID(), kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(s.kv.AccountID()),
		Prefix:    cloudflare.F("featured:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make(menuapi.ListFeatured200JSONResponse, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, menuapi.RestaurantSummary{Id: k.Name[len("featured:"):]})
	}
	return out, nil
}

func (s *Server) GetMenu(ctx context.Context, req menuapi.GetMenuRequestObject) (menuapi.GetMenuResponseObject, error) {
	locale := "en"
	if req.Params.Locale != nil {
		locale = *req.Params.Locale
	}
	key := renderKey(req.RestaurantId, locale)
	raw, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		var m menuapi.Menu
		if err := json.Unmarshal(raw, &m); err == nil {
			return menuapi.GetMenu200JSONResponse(m), nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		slog.WarnContext(ctx, "rendered menu unavailable", "key", key, "err", err)
	}

	m, err := s.catalog.Menu(ctx, req.RestaurantId, locale)
	if errors.Is(err, ErrNoMenu) {
		return menuapi.GetMenu404Response{}, nil
	} else if err != nil {
		return nil, err
	}
	if out, err := json.Marshal(m); err == nil {
		if err := s.kv.PutCache(ctx, key, out, renderTTL); err != nil {
			slog.WarnContext(ctx, "rendered menu not cached", "key", key, "err", err)
		}
	}
	return menuapi.GetMenu200JSONResponse(*m), nil
}

func (s *Server) GetAvailability(ctx context.Context, req menuapi.GetAvailabilityRequestObject) (menuapi.GetAvailabilityResponseObject, error) {
	res, err := s.kv.API().KV.Namespaces.Values.Get(ctx, s.kv.ID(), "avail:"+req.RestaurantId, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.kv.AccountID()),
	})
	if err != nil {
		return nil, fmt.Errorf("availability for %s: %w", req.RestaurantId, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return menuapi.GetAvailability404Response{}, nil
	}
	var av menuapi.Availability
	if err := json.Unmarshal(body, &av); err != nil {
		return nil, err
	}
	return menuapi.GetAvailability200JSONResponse(av), nil
}

func (s *Server) PutAvailability(ctx context.Context, req menuapi.PutAvailabilityRequestObject) (menuapi.PutAvailabilityResponseObject, error) {
	if req.Body == nil {
		return menuapi.PutAvailability400JSONResponse{Message: "body required"}, nil
	}
	if err := s.ensureSettings(ctx, req.RestaurantId); err != nil {
		return nil, err
	}
	av := *req.Body
	raw, err := json.Marshal(av)
	if err != nil {
		return nil, err
	}
	key := "avail:" + req.RestaurantId
	if av.PausedUntil != nil {
		until := *av.PausedUntil
		if floor := time.Now().Add(time.Minute); until.Before(floor) {
			until = floor
		}
		err = s.kv.PutUntil(ctx, key, raw, until)
	} else {
		err = s.kv.Put(ctx, key, raw, 0)
	}
	if err != nil {
		return nil, err
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := s.kv.Put(ctx, "avail:index:updated-at", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
		slog.WarnContext(ctx, "availability index stamp not written", "err", err)
	}
	return menuapi.PutAvailability204Response{}, nil
}

// ensureSettings gives a restaurant its default settings the first time its
// tablet reports availability.
func (s *Server) ensureSettings(ctx context.Context, restaurantID string) error {
	key := "restaurant:settings:" + restaurantID
	if _, err := s.kv.Get(ctx, key); err != nil { // EXPECT kvnull
		raw, _ := json.Marshal(settings{RestaurantID: restaurantID, PrepMinutes: 15, AutoAcceptMins: 3})
		return s.kv.Put(ctx, key, raw, 0) // DEBATABLE kvrace
	}
	return nil
}

func (s *Server) PatchMenuItem(ctx context.Context, req menuapi.PatchMenuItemRequestObject) (menuapi.PatchMenuItemResponseObject, error) {
	key := sourceKey(req.RestaurantId)
	raw, err := s.kv.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return menuapi.PatchMenuItem404Response{}, nil
	} else if err != nil {
		return nil, err
	}
	var m menuapi.Menu
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	idx := -1
	for i := range m.Items {
		if m.Items[i].Id == req.ItemId {
			idx = i
			break
		}
	}
	if idx < 0 {
		return menuapi.PatchMenuItem404Response{}, nil
	}
	if p := req.Body.PriceCents; p != nil {
		m.Items[idx].PriceCents = *p
	}
	if so := req.Body.SoldOut; so != nil {
		m.Items[idx].SoldOut = *so
	}
	m.Version++
	out, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := s.kv.Put(ctx, key, out, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	for _, loc := range s.locales {
		if err := s.kv.Delete(ctx, renderKey(req.RestaurantId, loc)); err != nil {
			slog.WarnContext(ctx, "rendered menu not invalidated", "locale", loc, "err", err)
		}
	}
	return menuapi.PatchMenuItem200JSONResponse(m.Items[idx]), nil
}

// ViewActivities is registered with the Temporal worker; the analytics
// workflow aggregates menu views from the apps and hands them over here.
type ViewActivities struct {
	KV *kvstore.Namespace
}

// PublishViews writes the view totals the restaurant dashboard shows.
func (a *ViewActivities) PublishViews(ctx context.Context, totals map[string]int64) error {
	for rid, n := range totals {
		if err := a.KV.Put(ctx, "menu:views:"+rid, []byte(strconv.FormatInt(n, 10)), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
