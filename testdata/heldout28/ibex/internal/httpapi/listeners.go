package httpapi

import (
	"errors"
	"net/http"
	"time"

	"example.com/ibex/internal/analytics"
	"example.com/ibex/internal/feeds"
	"example.com/ibex/internal/invites"
	"example.com/ibex/internal/keys"
)

// renderFeed produces the RSS document of a show for a grant.
var renderFeed = func(showID string, g feeds.Grant) ([]byte, error) {
	return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>` + showID + `</title></channel></rss>`), nil
}

func (a *App) handleFeed() http.HandlerFunc {
	tokens := a.Feeds
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		g, err := tokens.Resolve(ctx, r.PathValue("token"))
		if errors.Is(err, feeds.ErrInvalidToken) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			a.fail(w, err)
			return
		}
		xml, ok, err := tokens.Rendered(ctx, g.ShowID, g.Plan)
		if err != nil {
			a.fail(w, err)
			return
		}
		if !ok {
			if xml, err = renderFeed(g.ShowID, g); err != nil {
				a.fail(w, err)
				return
			}
			if err := tokens.CacheRendered(ctx, g.ShowID, g.Plan, xml); err != nil {
				a.Log.Printf("feed cache: %v", err)
			}
		}
		if err := a.Catalogue.Put(ctx, "catalog:last-feed-fetch", []byte(timeNow().UTC().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
			a.Log.Printf("last fetch: %v", err)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write(xml)
	}
}

func (a *App) handleRedeem() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Code  string `json:"code"`
			Email string `json:"email"`
		}
		if err := decode(r, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		inv, err := a.Invites.Redeem(r.Context(), body.Code, body.Email)
		switch {
		case errors.Is(err, invites.ErrTooManyTries):
			http.Error(w, "too many attempts", http.StatusTooManyRequests)
			return
		case errors.Is(err, invites.ErrInvalidCode):
			http.Error(w, "invalid code", http.StatusForbidden)
			return
		case err != nil:
			a.fail(w, err)
			return
		}
		tok, err := a.Feeds.Issue(r.Context(), feeds.Grant{ListenerID: keys.Email(body.Email), ShowID: inv.ShowID, Plan: "invited"})
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"token": tok})
	}
}

func (a *App) handleDownload() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ep, err := a.Catalog.Show(ctx, r.PathValue("show"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		d := analytics.Download{
			EpisodeID: r.PathValue("episode"),
			ShowID:    ep.ID,
			At:        timeNow(),
			IPHash:    keys.Hash(r.RemoteAddr),
			UserAgent: r.UserAgent(),
		}
		if err := a.Recorder.RecordDownload(ctx, d); err != nil {
			a.Log.Printf("download tally: %v", err)
		}
		a.Aggregator.Add(d.EpisodeID, 1)
		http.Redirect(w, r, "https://media.ibex.fm/"+ep.ID+"/"+d.EpisodeID+".mp3", http.StatusFound)
	}
}
