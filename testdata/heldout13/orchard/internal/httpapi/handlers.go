package httpapi

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/orchard/internal/cart"
	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/orders"
	"example.com/orchard/internal/sessions"
	"example.com/orchard/internal/store"
)

func (a *api) browse(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := a.Catalog.Browse(r.Context(), r.URL.Query().Get("cursor"), limit)
	a.reply(w, r, http.StatusOK, page, err)
}

func (a *api) listing(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := a.Catalog.Get(r.Context(), id)
	if err == nil {
		a.Views.Record(id)
	}
	a.reply(w, r, http.StatusOK, struct {
		catalog.Listing
		Featured bool `json:"featured"`
	}{l, err == nil && a.Catalog.IsFeatured(r.Context(), id)}, err)
}

func (a *api) createListing(w http.ResponseWriter, r *http.Request) {
	var l catalog.Listing
	if !a.decode(w, r, &l) {
		return
	}
	l, err := a.Catalog.Create(r.Context(), l)
	if err == nil {
		if err := a.Edge.Put(r.Context(), "catalog:version", l.CreatedAt.Format(time.RFC3339Nano)); err != nil { // EXPECT kvhotkey
			a.Log.WarnContext(r.Context(), "catalog version not bumped", "err", err)
		}
	}
	a.reply(w, r, http.StatusCreated, l, err)
}

// FarmSettings is how a farm's storefront looks.
type FarmSettings struct {
	Theme       string `json:"theme"`
	Banner      string `json:"banner"`
	ShowOrganic bool   `json:"show_organic"`
}

func (a *api) farmSettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := "settings:farm:" + r.PathValue("id")
	settings := FarmSettings{Theme: "meadow", ShowOrganic: true}
	if raw, err := a.Edge.Get(ctx, key); err == nil { // EXPECT kvnull
		_ = json.Unmarshal([]byte(raw), &settings)
	}
	var patch struct {
		Theme  *string `json:"theme"`
		Banner *string `json:"banner"`
	}
	if !a.decode(w, r, &patch) {
		return
	}
	if patch.Theme != nil {
		settings.Theme = *patch.Theme
	}
	if patch.Banner != nil {
		settings.Banner = *patch.Banner
	}
	err := store.Save(ctx, a.Edge, key, settings) // EXPECT kvrace
	a.reply(w, r, http.StatusOK, settings, err)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func (a *api) requestCode(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if !a.decode(w, r, &body) {
		return
	}
	if ok, err := a.codeLimit(r.Context(), clientIP(r)); !ok {
		writeErr(w, http.StatusTooManyRequests, "try again later")
		return
	} else if err != nil {
		a.Log.WarnContext(r.Context(), "limiter", "err", err)
	}
	_, err := a.Sessions.IssueCode(r.Context(), body.Email)
	a.reply(w, r, http.StatusAccepted, struct{}{}, err)
}

func (a *api) signIn(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if !a.decode(w, r, &body) {
		return
	}
	var s sessions.Session
	var rt sessions.RefreshToken
	err := a.Sessions.CheckCode(r.Context(), body.Email, body.Code)
	if err == nil {
		s, err = a.Sessions.Create(r.Context(), body.Email)
	}
	if err == nil {
		rt, err = a.Sessions.IssueRefresh(r.Context(), s)
	}
	if err == nil {
		http.SetCookie(w, &http.Cookie{
			Name: "sid", Value: s.ID, Path: "/", Expires: s.ExpiresAt,
			HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		})
	}
	a.reply(w, r, http.StatusOK, struct {
		CSRF    string `json:"csrf"`
		Refresh string `json:"refresh_token"`
	}{s.CSRF, rt.Token}, err)
}

func (a *api) logout(w http.ResponseWriter, r *http.Request, s sessions.Session) {
	err := a.Sessions.Logout(r.Context(), s.ID)
	http.SetCookie(w, &http.Cookie{Name: "sid", Path: "/", MaxAge: -1})
	a.reply(w, r, http.StatusOK, struct{}{}, err)
}

func (a *api) addToCart(w http.ResponseWriter, r *http.Request, s sessions.Session) {
	var body struct {
		ListingID string `json:"listing_id"`
		Qty       int    `json:"qty"`
	}
	if !a.decode(w, r, &body) {
		return
	}
	l, err := a.Catalog.Get(r.Context(), body.ListingID)
	var c cart.Cart
	if err == nil {
		c, err = a.Carts.Add(r.Context(), s.BuyerID, cart.Item{
			ListingID: l.ID, FarmID: l.FarmID, Qty: body.Qty, PriceCents: l.PriceCents,
		})
	}
	a.reply(w, r, http.StatusOK, c, err)
}

func (a *api) checkout(w http.ResponseWriter, r *http.Request, s sessions.Session) {
	ctx := r.Context()
	if ok, _ := a.checkoutLimit(ctx, s.BuyerID); !ok {
		writeErr(w, http.StatusTooManyRequests, "slow down")
		return
	}
	var body struct {
		PickupAt time.Time `json:"pickup_at"`
	}
	if !a.decode(w, r, &body) {
		return
	}
	c, err := a.Carts.Get(ctx, s.BuyerID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var placed []orders.Order
	for farm, items := range c.ByFarm() {
		o := orders.Order{BuyerID: s.BuyerID, FarmID: farm, PickupAt: body.PickupAt}
		for _, it := range items {
			o.Lines = append(o.Lines, orders.Line{ListingID: it.ListingID, Qty: it.Qty, PriceCents: it.PriceCents})
		}
		if o, err = a.Orders.Place(ctx, o); err != nil {
			a.fail(w, r, err)
			return
		}
		placed = append(placed, o)
	}
	if err := a.Carts.Clear(ctx, s.BuyerID); err != nil {
		a.Log.WarnContext(ctx, "cart not cleared", "buyer", s.BuyerID, "err", err)
	}
	a.reply(w, r, http.StatusCreated, placed, nil)
}

// putPrefs replaces the buyer's notification preferences.
func (a *api) putPrefs(w http.ResponseWriter, r *http.Request, s sessions.Session) {
	var prefs struct {
		Email   bool      `json:"email"`
		SMS     bool      `json:"sms"`
		Pickup  string    `json:"default_pickup"`
		Updated time.Time `json:"updated"`
	}
	if !a.decode(w, r, &prefs) {
		return
	}
	prefs.Updated = time.Now().UTC()
	err := store.Save(r.Context(), a.Main, "prefs:"+s.BuyerID, prefs)
	a.reply(w, r, http.StatusOK, prefs, err)
}

func (a *api) setStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status orders.Status `json:"status"`
	}
	if !a.decode(w, r, &body) {
		return
	}
	if !body.Status.Valid() {
		writeErr(w, http.StatusBadRequest, "unknown status")
		return
	}
	o, err := a.Orders.Transition(r.Context(), r.PathValue("id"), body.Status)
	a.reply(w, r, http.StatusOK, o, err)
}

// stats is the ops page's headline numbers.
func (a *api) stats(w http.ResponseWriter, r *http.Request) {
	p, err := a.Main.List(r.Context(), store.ListQuery{Prefix: "farmidx:"}) // EXPECT kvlist
	a.reply(w, r, http.StatusOK, struct {
		Farms int       `json:"farms"`
		At    time.Time `json:"at"`
	}{len(p.Keys), time.Now().UTC()}, err)
}
