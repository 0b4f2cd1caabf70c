//go:build js && wasm

package episodes

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

type Handlers struct {
	Cfg config.Config
}

func (h Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /shows/{show}/episodes/{ep}", h.get)
	mux.HandleFunc("POST /hooks/origin/episodes", h.published)
	mux.HandleFunc("PUT /hooks/origin/episodes/{show}/{ep}/embargo", h.setEmbargo)
}

func (h Handlers) service() (Service, error) {
	ns, err := kv.OpenAll()
	if err != nil {
		return Service{}, err
	}
	return Service{Cache: ns.Cache, Shows: ns.Shows, Stats: ns.Stats, Cfg: h.Cfg, Client: http.DefaultClient}, nil
}

func (h Handlers) get(w http.ResponseWriter, r *http.Request) {
	svc, err := h.service()
	if err != nil {
		httpx.Fail(w, "episodes.get", err)
		return
	}
	show, id := r.PathValue("show"), r.PathValue("ep")
	rev, _ := strconv.Atoi(r.URL.Query().Get("v"))
	ep, err := svc.Load(show, id, rev)
	if err != nil {
		httpx.Fail(w, "episodes.get", err)
		return
	}
	if locked, err := embargoed(svc.Shows.NS(), show, id, httpx.Bearer(r) != ""); err != nil {
		httpx.Fail(w, "episodes.get", err)
		return
	} else if locked {
		httpx.Error(w, http.StatusForbidden, "early access for subscribers")
		return
	}
	if err := svc.countView(ep); err != nil {
		httpx.Fail(w, "episodes.get", err)
		return
	}
	if err := svc.notePlayed(ep); err != nil {
		httpx.Fail(w, "episodes.get", err)
		return
	}
	httpx.JSON(w, http.StatusOK, ep)
}

type embargo struct {
	Tier     string    `json:"tier"`
	PublicAt time.Time `json:"public_at"`
}

// embargoed reports whether the episode is still subscriber-only for this
// caller.
func embargoed(shows *cloudflare.KVNamespace, showID, episodeID string, subscriber bool) (bool, error) {
	raw, err := shows.GetString(keys.Embargo(showID, episodeID), nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	var e embargo
	_ = json.Unmarshal([]byte(raw), &e)
	return e.Tier != "" && !subscriber && time.Now().Before(e.PublicAt), nil
}

func (h Handlers) published(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Origin-Token") != h.Cfg.AdminToken {
		httpx.Error(w, http.StatusUnauthorized, "bad origin token")
		return
	}
	var ep Episode
	if err := json.NewDecoder(r.Body).Decode(&ep); err != nil || ep.ID == "" || ep.ShowID == "" {
		httpx.Error(w, http.StatusBadRequest, "episode body required")
		return
	}
	svc, err := h.service()
	if err != nil {
		httpx.Fail(w, "episodes.published", err)
		return
	}
	if err := svc.Publish(ep); err != nil {
		httpx.Fail(w, "episodes.published", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setEmbargo marks an episode subscriber-only until its public date. The key
// expires on its own when the episode goes public.
func (h Handlers) setEmbargo(w http.ResponseWriter, r *http.Request) {
	var body embargo
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		httpx.Error(w, http.StatusBadRequest, "bad embargo body")
		return
	}
	shows, err := cloudflare.NewKVNamespace("SHOWS")
	if err != nil {
		httpx.Fail(w, "episodes.embargo", err)
		return
	}
	key := keys.Embargo(r.PathValue("show"), r.PathValue("ep"))
	if time.Until(body.PublicAt) < 2*time.Minute {
		if err := shows.Delete(key); err != nil {
			httpx.Fail(w, "episodes.embargo", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	val, _ := json.Marshal(body)
	err = shows.PutString(key, string(val), &cloudflare.KVNamespacePutOptions{
		Expiration: int(body.PublicAt.UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		httpx.Fail(w, "episodes.embargo", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
