package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/bellwether/internal/exports"
	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/polls"
	"example.com/bellwether/internal/sessions"
	"example.com/bellwether/internal/votes"
)

func (a *API) createPoll(w http.ResponseWriter, r *http.Request) {
	var p polls.Poll
	if err := readJSON(r, &p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	created, err := a.polls.Create(r.Context(), p)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

func (a *API) openPoll(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Opens  time.Time `json:"opens_at"`
		Closes time.Time `json:"closes_at"`
	}
	if err := readJSON(r, &body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p, err := a.polls.Open(r.Context(), r.PathValue("id"), body.Opens, body.Closes)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) closePoll(w http.ResponseWriter, r *http.Request) {
	if err := a.polls.Close(r.Context(), r.PathValue("id")); err != nil {
		writeErr(w, err)
		return
	}
	if err := a.results.Invalidate(r.Context(), r.PathValue("id")); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) pollResults(w http.ResponseWriter, r *http.Request) {
	snap, err := a.results.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, snap)
}

// preview stores a draft rendering for the editor's preview pane.
func (a *API) preview(w http.ResponseWriter, r *http.Request) {
	p, err := a.polls.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	body, _ := json.Marshal(p)
	token := randomHex(8)
	if err := a.store.Put(r.Context(), "preview:"+token, body, kvstore.WithTTL(20*time.Second)); err != nil { // EXPECT kvttl
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"preview": token})
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := a.tokens.Revoke(r.Context(), r.PathValue("id")); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) submitExport(w http.ResponseWriter, r *http.Request) {
	var job exports.Job
	if err := readJSON(r, &job); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	job.ID = randomHex(10)
	if err := a.exports.Submit(r.Context(), job); err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": job.ID})
}

type theme struct {
	Accent string `json:"accent"`
	Font   string `json:"font"`
	Dark   bool   `json:"dark"`
}

func (a *API) theme(w http.ResponseWriter, r *http.Request) {
	raw, _ := a.store.Get(r.Context(), "theme:"+r.PathValue("site")) // EXPECT kvnull
	var t theme
	_ = json.Unmarshal(raw, &t)
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, t)
}

func (a *API) challenge(w http.ResponseWriter, r *http.Request) {
	c, err := a.tokens.NewChallenge(r.Context(), r.PathValue("site"), 3)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) startSession(w http.ResponseWriter, r *http.Request) {
	pollID, site := r.FormValue("poll_id"), r.PathValue("site")
	if _, err := a.sites.Lookup(r.Context(), site); err != nil {
		writeErr(w, err)
		return
	}
	s, err := a.sessions.Start(r.Context(), pollID, site)
	if err != nil {
		writeErr(w, err)
		return
	}
	if a.views != nil {
		a.views.View(pollID)
	}
	writeJSON(w, http.StatusCreated, s)
}

func (a *API) answer(w http.ResponseWriter, r *http.Request, s sessions.Session) {
	s, err := a.sessions.Answer(r.Context(), s.ID, r.FormValue("question"), r.FormValue("answer"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"step": s.Step})
}

func (a *API) vote(w http.ResponseWriter, r *http.Request, s sessions.Session) {
	p, err := a.polls.Get(r.Context(), s.PollID)
	if err != nil {
		writeErr(w, err)
		return
	}
	if !p.Open(time.Now()) {
		writeErr(w, polls.ErrClosed)
		return
	}
	v := votes.Vote{PollID: p.ID, ChoiceID: r.FormValue("choice_id"), SessionID: s.ID, Site: s.Site}
	if err := a.votes.Record(r.Context(), v); err != nil {
		writeErr(w, err)
		return
	}
	if err := a.w.Entry("stats:last-vote-at").String(time.Now().UTC().Format(time.RFC3339Nano)).Put(r.Context()); err != nil { // EXPECT kvhotkey
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) submit(w http.ResponseWriter, r *http.Request, s sessions.Session) {
	if len(s.Answers) == 0 {
		writeErr(w, errors.New("nothing to submit"))
		return
	}
	if err := a.sessions.Finish(r.Context(), s.ID); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
