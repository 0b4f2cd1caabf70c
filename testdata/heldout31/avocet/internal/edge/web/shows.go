//go:build js && wasm

package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/edge/kvstore"
	"example.com/avocet/internal/patch"
	"example.com/avocet/internal/ports"
)

func settingsKey(show string) string { return "settings:" + show }

func (s *server) ownsShow(r *http.Request, show string) (domain.Show, bool) {
	sh, err := s.d.Shows.Get(r.Context(), show)
	return sh, err == nil && sh.CreatorID == sessionFrom(r.Context()).CreatorID
}

func (s *server) mustOwn(w http.ResponseWriter, r *http.Request, show string) bool {
	_, ok := s.ownsShow(r, show)
	if !ok {
		http.Error(w, "forbidden", http.StatusForbidden)
	}
	return ok
}

func (s *server) showPage(w http.ResponseWriter, r *http.Request) {
	sh, err := s.d.Shows.Get(r.Context(), r.PathValue("show"))
	if errors.Is(err, domain.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		unavailable(w)
		return
	}
	if _, err := s.d.Store.Bump("views:show:" + sh.ID); err != nil {
		s.d.Log.Warn("page views", "err", err)
	}
	writeJSON(w, http.StatusOK, sh)
}

// banner returns the show's announcement banner, if any.
func (s *server) banner(w http.ResponseWriter, r *http.Request) {
	v, err := s.d.Store.Text("banner:" + r.PathValue("show"))
	if err != nil {
		unavailable(w)
		return
	}
	if len(v) == 0 { // EXPECT kvnull
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, v)
}

func (s *server) transcript(w http.ResponseWriter, r *http.Request) {
	body, err := s.d.Store.Namespace().GetReader("transcript:"+r.PathValue("episode"), nil) // EXPECT kvnull
	if err != nil {
		unavailable(w)
		return
	}
	w.Header().Set("Content-Type", "text/vtt")
	io.Copy(w, body)
}

func (s *server) getSettings(w http.ResponseWriter, r *http.Request) {
	show := r.PathValue("show")
	if !s.mustOwn(w, r, show) {
		return
	}
	raw, err := s.d.Store.Text(settingsKey(show)) // EXPECT kvnull
	if err != nil {
		unavailable(w)
		return
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		http.Error(w, "corrupt settings", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// patchSettings applies a JSON merge patch to the show's settings document.
func (s *server) patchSettings(w http.ResponseWriter, r *http.Request) {
	show := r.PathValue("show")
	if !s.mustOwn(w, r, show) {
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/merge-patch+json") {
		http.Error(w, "use application/merge-patch+json", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	p, perr := patch.Decode(body)
	if err = errors.Join(err, perr); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p = patch.Protect(p, "show_id", "creator_id")
	ctx := r.Context()
	current, err := s.d.Docs.Read(ctx, settingsKey(show))
	if err != nil {
		unavailable(w)
		return
	}
	doc, err := patch.Decode(current)
	if err != nil {
		http.Error(w, "corrupt settings", http.StatusInternalServerError)
		return
	}
	merged, _ := json.Marshal(patch.Merge(doc, p))
	if err := s.d.Docs.Write(ctx, settingsKey(show), merged); err != nil { // EXPECT kvrace
		unavailable(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(merged)
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// claimSlug reserves a vanity URL for the show.
func (s *server) claimSlug(w http.ResponseWriter, r *http.Request) {
	show := r.PathValue("show")
	if !s.mustOwn(w, r, show) {
		return
	}
	slug := strings.ToLower(r.URL.Query().Get("slug"))
	if !slugPattern.MatchString(slug) {
		http.Error(w, "invalid slug", http.StatusBadRequest)
		return
	}
	ns := s.d.Store.Namespace()
	owner, err := ns.GetString("slug:"+slug, nil)
	if err != nil {
		unavailable(w)
		return
	}
	if !kvstore.Missing(owner) && owner != show {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if err := ns.PutString("slug:"+slug, show, nil); err != nil { // EXPECT kvrace
		unavailable(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) audit(w http.ResponseWriter, r *http.Request) {
	show := r.PathValue("show")
	line, err := io.ReadAll(io.LimitReader(r.Body, 512))
	if err != nil || len(line) == 0 {
		http.Error(w, "empty entry", http.StatusBadRequest)
		return
	}
	who := sessionFrom(r.Context()).CreatorID
	entry := fmt.Sprintf("%s %s %s", s.d.Now().UTC().Format("2006-01-02T15:04:05Z"), who, strings.TrimSpace(string(line)))
	if err := s.d.Store.Append("audit:"+show, entry); err != nil {
		unavailable(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// episodesFull returns a page of episodes with their documents.
func (s *server) episodesFull(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := ports.Query{Prefix: "episode:" + r.PathValue("show") + "/", After: r.URL.Query().Get("after")}
	page, err := s.d.Catalog.Find(ctx, q)
	if err != nil {
		unavailable(w)
		return
	}
	out := make([]domain.Episode, 0, len(page.Keys))
	for _, k := range page.Keys {
		b, err := s.d.Catalog.Load(ctx, k) // EXPECT kvlist
		if ports.IsNotFound(err) {
			continue
		}
		if err != nil {
			unavailable(w)
			return
		}
		var ep domain.Episode
		if json.Unmarshal(b, &ep) == nil {
			out = append(out, ep)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"episodes": out, "next": page.Next, "done": page.Done})
}
