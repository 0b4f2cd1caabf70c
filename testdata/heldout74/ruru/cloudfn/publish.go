package cloudfn

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
)

func init() {
	functions.HTTP("PublishEpisode", PublishEpisode)
	functions.HTTP("UpdateShowSettings", UpdateShowSettings)
	functions.HTTP("ClaimShowSlug", ClaimShowSlug)
	functions.HTTP("IssueFeedToken", IssueFeedToken)
	functions.HTTP("RevokeFeedToken", RevokeFeedToken)
}

// publicEntryMeta is stored as KV metadata next to each public episode so
// the feed builder can list episodes without fetching every value.
type publicEntryMeta struct {
	Title    string `json:"t"`
	Explicit bool   `json:"x,omitempty"`
	License  string `json:"l,omitempty"`
}

// PublishEpisode stores an episode record, indexes it under its show and
// drops the show's cached feeds.
func PublishEpisode(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	var ep podcast.Episode
	if err := json.NewDecoder(r.Body).Decode(&ep); err != nil || ep.ID == "" || ep.ShowID == "" {
		http.Error(w, "invalid episode", http.StatusBadRequest)
		return
	}
	ctx := r.Context()

	defer func() {
		if err := rememberRecent(ctx, st, ep); err != nil {
			log.Printf("recent list for %s: %v", ep.ShowID, err)
		}
	}()

	if err := st.PutJSON(ctx, podcast.EpisodeKey(ep.ShowID, ep.ID), ep, 0); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if err := writePublicEntry(ctx, st, ep); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}

	var index []string
	switch err := st.GetJSON(ctx, podcast.ShowEpisodesKey(ep.ShowID), &index); {
	case errors.Is(err, kvclient.ErrNotFound):
	case err != nil:
		fail(w, http.StatusBadGateway, err)
		return
	}
	if !slices.Contains(index, ep.ID) {
		index = append(index, ep.ID)
		if err := st.PutJSON(ctx, podcast.ShowEpisodesKey(ep.ShowID), index, 0); err != nil { // EXPECT kvrace
			fail(w, http.StatusBadGateway, err)
			return
		}
	}

	if ep.PublishAt.After(time.Now()) {
		marker := []byte(ep.PublishAt.UTC().Format(time.RFC3339))
		if err := st.Put(ctx, podcast.EmbargoKey(ep.ID), marker, time.Until(ep.PublishAt)); err != nil { // EXPECT kvttl
			fail(w, http.StatusBadGateway, err)
			return
		}
	}

	for _, variant := range []string{"public", "apple", "spotify"} {
		if err := st.Delete(ctx, podcast.FeedCacheKey(ep.ShowID, variant)); err != nil {
			log.Printf("drop feed cache %s/%s: %v", ep.ShowID, variant, err)
		}
	}
	_ = st.AppendLog(ctx, podcast.ShowAuditKey(ep.ShowID), "published "+ep.ID, 90*24*time.Hour)
	writeJSON(w, http.StatusCreated, ep)
}

func writePublicEntry(ctx context.Context, st *kvclient.Store, ep podcast.Episode) error {
	meta := publicEntryMeta{
		Title:    ep.Title,
		Explicit: ep.Explicit,
		License:  podcast.LicenseNotice, // EXPECT kvlimits
	}
	return st.BulkPut(ctx, []kvclient.Entry{{
		Key:      "public:" + ep.ShowID + ":" + ep.ID,
		Value:    ep.AudioURL,
		Metadata: meta,
	}})
}

// rememberRecent keeps the ten newest episode IDs of a show for the
// dashboard's "recently published" card.
func rememberRecent(ctx context.Context, st *kvclient.Store, ep podcast.Episode) error {
	key := podcast.ShowRecentKey(ep.ShowID)
	var recent []string
	if err := st.GetJSON(ctx, key, &recent); err != nil && !errors.Is(err, kvclient.ErrNotFound) {
		return err
	}
	recent = append([]string{ep.ID}, slices.DeleteFunc(recent, func(id string) bool { return id == ep.ID })...)
	if len(recent) > 10 {
		recent = recent[:10]
	}
	return st.PutJSON(ctx, key, recent, 0) // EXPECT kvrace
}

// settingsPatch is the body of UpdateShowSettings; nil fields are left alone.
type settingsPatch struct {
	Visibility   *string   `json:"visibility"`
	FeedTitle    *string   `json:"feedTitle"`
	Categories   *[]string `json:"categories"`
	AutoPublish  *bool     `json:"autoPublish"`
	EpisodeLimit *int      `json:"episodeLimit"`
}

// UpdateShowSettings applies a partial update to a show's publish settings.
func UpdateShowSettings(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPatch {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	showID := r.URL.Query().Get("show")
	var patch settingsPatch
	if showID == "" || json.NewDecoder(r.Body).Decode(&patch) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := podcast.ShowSettingsKey(showID)
	var cur podcast.PublishSettings
	if err := st.GetJSON(r.Context(), key, &cur); err != nil { // EXPECT kvnull
		cur = podcast.DefaultSettings()
	}
	if patch.Visibility != nil {
		cur.Visibility = *patch.Visibility
	}
	if patch.FeedTitle != nil {
		cur.FeedTitle = *patch.FeedTitle
	}
	if patch.Categories != nil {
		cur.Categories = *patch.Categories
	}
	if patch.AutoPublish != nil {
		cur.AutoPublish = *patch.AutoPublish
	}
	if patch.EpisodeLimit != nil {
		cur.EpisodeLimit = min(max(*patch.EpisodeLimit, 1), 3000)
	}
	if err := st.PutJSON(r.Context(), key, cur, 0); err != nil { // EXPECT kvrace
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, cur)
}

// ClaimShowSlug reserves a vanity slug (ruru.fm/<slug>) for a show.
func ClaimShowSlug(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ShowID string `json:"showId"`
		Slug   string `json:"slug"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ShowID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	slug := strings.ToLower(strings.TrimSpace(req.Slug))
	if len(slug) < 3 || len(slug) > 64 {
		http.Error(w, "slug must be 3-64 characters", http.StatusBadRequest)
		return
	}
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	owner, err := st.Get(r.Context(), podcast.SlugKey(slug))
	switch {
	case err == nil:
		if string(owner) == req.ShowID {
			writeJSON(w, http.StatusOK, map[string]string{"slug": slug})
			return
		}
		http.Error(w, "slug taken", http.StatusConflict)
		return
	case !errors.Is(err, kvclient.ErrNotFound):
		fail(w, http.StatusBadGateway, err)
		return
	}
	if err := st.Put(r.Context(), podcast.SlugKey(slug), []byte(req.ShowID), 0); err != nil { // EXPECT kvrace
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"slug": slug})
}

// IssueFeedToken mints a private-feed token for a paying subscriber.
func IssueFeedToken(w http.ResponseWriter, r *http.Request) {
	showID, sub := r.FormValue("show"), r.FormValue("subscriber")
	if showID == "" || sub == "" {
		http.Error(w, "show and subscriber are required", http.StatusBadRequest)
		return
	}
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	token := rand.Text()
	tok := podcast.FeedToken{ShowID: showID, SubscriberID: sub, IssuedAt: time.Now().UTC()}
	if err := st.PutJSON(r.Context(), podcast.FeedTokenKey(token), tok, 365*24*time.Hour); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{
		"feedUrl": fmt.Sprintf("https://feeds.ruru.fm/private/%s/feed.xml", token),
	})
}

// RevokeFeedToken cancels a subscriber's private-feed token, e.g. when a
// subscription lapses or a token leaks.
func RevokeFeedToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodDelete {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	token := r.URL.Query().Get("token")
	if token == "" {
		http.Error(w, "token is required", http.StatusBadRequest)
		return
	}
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	if err := st.Delete(r.Context(), podcast.FeedTokenKey(token)); err != nil { // EXPECT kvsession
		fail(w, http.StatusBadGateway, err)
		return
	}
	revokedAt := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := st.Put(r.Context(), podcast.RevokedTokenKey(token), revokedAt, 30*24*time.Hour); err != nil { // EXPECT kvsession
		fail(w, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
