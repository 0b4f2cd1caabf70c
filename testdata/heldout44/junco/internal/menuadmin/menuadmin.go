//go:build !js

// Package menuadmin publishes menus, opening hours and the house policy
// from the back office to KV, where the Worker serves them.
package menuadmin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"junco/internal/keys"
	"junco/internal/restkv"
)

// HousePolicy is shown on every booking confirmation.
const HousePolicy = `Reservations are held for fifteen minutes past the booked time. ` +
	`If your party is running late, please call the restaurant so that we can keep your table for you. ` +
	`Parties of six or more guests, and all bookings on Friday and Saturday evenings, require a card ` +
	`deposit of twenty-five dollars per guest at the time of booking. The deposit is applied in full ` +
	`to your final bill. Cancellations made more than twenty-four hours before the reservation are ` +
	`refunded in full to the original card within five to seven business days. Cancellations made ` +
	`within twenty-four hours of the reservation, and parties that do not arrive, forfeit the deposit. ` +
	`Guests who miss two reservations within twelve months without cancelling may be asked to pay a ` +
	`deposit for every future booking regardless of party size or day of the week. We are happy to ` +
	`accommodate dietary requirements and allergies with advance notice; please add them to the notes ` +
	`field when booking or tell your server on arrival. Our kitchen handles nuts, shellfish, gluten ` +
	`and dairy, and while we take every precaution we cannot guarantee that any dish is free of traces. ` +
	`Tables are reserved for two hours for parties of up to four guests and two and a half hours for ` +
	`larger parties. Outside cakes are welcome for a plating fee of five dollars per guest. Corkage is ` +
	`thirty dollars per bottle with a limit of two bottles per table. Thank you for dining with us.`

// Publisher writes back-office content to KV.
type Publisher struct {
	KV  *restkv.Namespace
	Now func() time.Time
}

// PublishMenu stores a rendered menu and appends a line to the changelog.
func (p Publisher) PublishMenu(ctx context.Context, restaurantID, locale string, menu map[string]any, editor string) error {
	body, err := json.Marshal(menu)
	if err != nil {
		return err
	}
	_, err = p.KV.API.KV.Namespaces.Values.Update(ctx, p.KV.NamespaceID, keys.Menu(restaurantID, locale), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.KV.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		Metadata:  cloudflare.F[any](map[string]any{"editor": editor, "published": p.Now().Unix(), "bytes": len(body)}),
	})
	if err != nil {
		return err
	}
	return p.appendChangelog(ctx, restaurantID, fmt.Sprintf("%s %s published %s menu (%d bytes)\n",
		p.Now().Format(time.RFC3339), editor, locale, len(body)))
}

func (p Publisher) appendChangelog(ctx context.Context, restaurantID, line string) error {
	key := keys.MenuChangelog(restaurantID)
	old, _, err := p.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	return p.KV.Put(ctx, key, string(old)+line, 0) // EXPECT kvrace
}

// PublishPolicy stores the house policy text with its version in metadata,
// so that the Worker can show the version from a key listing.
func (p Publisher) PublishPolicy(ctx context.Context, restaurantID string, version int) error {
	_, err := p.KV.API.KV.Namespaces.Values.Update(ctx, p.KV.NamespaceID, "policy:"+restaurantID, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.KV.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(HousePolicy)),
		Metadata:  cloudflare.F[any](map[string]any{"version": version, "summary": HousePolicy}), // EXPECT kvlimits
	})
	return err
}

// CacheTranslation keeps a machine translation of a fixed text, keyed by
// the source text so that edits produce a new entry.
func (p Publisher) CacheTranslation(ctx context.Context, locale, translated string) error {
	return p.KV.Put(ctx, keys.Translation(locale, HousePolicy), translated, 30*24*time.Hour) // EXPECT kvlimits
}

// Translation returns the cached translation of the house policy, or ""
// if there is none yet.
func (p Publisher) Translation(ctx context.Context, locale string) (string, error) {
	v, ok, err := p.KV.Get(ctx, "i18n-v2:"+locale+":policy")
	if err != nil || !ok {
		return "", err
	}
	return string(v), nil
}

// SetHours replaces the opening hours and keeps the previous version for
// one week so that a mistake can be rolled back.
func (p Publisher) SetHours(ctx context.Context, restaurantID string, hours json.RawMessage) error {
	key := keys.Hours(restaurantID)
	resp, err := p.KV.API.KV.Namespaces.Values.Get(ctx, p.KV.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.KV.AccountID),
	})
	if err != nil && !restkv.IsNotFound(err) {
		return err
	}
	if err == nil {
		prev, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(prev) == 0 { // EXPECT kvnull
			prev = []byte("{}")
		}
		if err := p.KV.Put(ctx, key+":prev", string(prev), 7*24*time.Hour); err != nil {
			return err
		}
	}
	return p.KV.Put(ctx, key, string(hours), 0)
}

// Menu is a read-through cache over the menu service.
func (p Publisher) Menu(ctx context.Context, restaurantID, locale string, load func(context.Context) ([]byte, error)) ([]byte, error) {
	key := fmt.Sprintf("menucache:%s:%s", restaurantID, locale)
	if b, ok, err := p.KV.Get(ctx, key); err != nil {
		return nil, err
	} else if ok {
		return b, nil
	}
	b, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return b, p.KV.Put(ctx, key, string(b), 15*time.Minute)
}

// Handler exposes the publishing routes.
type Handler struct{ Pub Publisher }

func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("PUT /v1/restaurants/{rid}/menu/{locale}", h.putMenu)
	mux.HandleFunc("PUT /v1/restaurants/{rid}/hours", h.putHours)
}

func (h Handler) putMenu(w http.ResponseWriter, r *http.Request) {
	var menu map[string]any
	if err := json.NewDecoder(r.Body).Decode(&menu); err != nil {
		http.Error(w, "bad menu", http.StatusBadRequest)
		return
	}
	if err := h.Pub.PublishMenu(r.Context(), r.PathValue("rid"), r.PathValue("locale"), menu, r.Header.Get("X-Editor")); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h Handler) putHours(w http.ResponseWriter, r *http.Request) {
	var hours json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&hours); err != nil {
		http.Error(w, "bad hours", http.StatusBadRequest)
		return
	}
	if err := h.Pub.SetHours(r.Context(), r.PathValue("rid"), hours); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
