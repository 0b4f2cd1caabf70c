//go:build js && wasm

// Command catbird-worker is the edge half of the forum: it serves cached
// threads, signs members in, takes votes and new posts, and runs the
// scheduled sweeps and the post-events queue consumer.
package main

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"catbird/internal/edgekv"
	"catbird/internal/forum"
	"catbird/internal/members"
	"catbird/internal/posting"
	"catbird/internal/votes"
)

const (
	originBase      = "https://origin.catbird.community"
	forumBinding    = "FORUM"
	sessionsBinding = "SESSIONS"
	sessionCookie   = "cb_sess"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /t/{slug}", serveThread)
	mux.HandleFunc("POST /t/{id}/views", countView)
	mux.HandleFunc("POST /t/{id}/posts", createPost)
	mux.HandleFunc("POST /t/{id}/edit-lease", takeEditLease)
	mux.HandleFunc("POST /p/{id}/vote", castVote)
	mux.HandleFunc("GET /c/{path...}", serveCategory)
	mux.HandleFunc("POST /preview", renderPreview)
	mux.HandleFunc("POST /login", sendCode)
	mux.HandleFunc("POST /login/code", redeemCode)
	mux.HandleFunc("POST /logout", logout)
	mux.HandleFunc("POST /members/{id}/handle", claimHandle)

	queues.ConsumeNonBlock(consumePostEvents)
	cron.ScheduleTaskNonBlock(runScheduled)
	workers.Serve(mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, err error) {
	log.Printf("catbird-worker: %v", err)
	writeJSON(w, status, map[string]any{"error": err.Error()})
}

// buckets opens both bindings for the current request, answering 500 itself
// when the Worker is misconfigured.
func buckets(w http.ResponseWriter) (forumKV, sessKV edgekv.Bucket, ok bool) {
	var err error
	if forumKV, err = edgekv.Open(forumBinding); err == nil {
		sessKV, err = edgekv.Open(sessionsBinding)
	}
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return forumKV, sessKV, false
	}
	return forumKV, sessKV, true
}

// currentSession resolves the session cookie, if any, and refreshes it.
func currentSession(r *http.Request, sessKV edgekv.Bucket) (*forum.Session, members.Sessions, error) {
	s := members.DefaultSessions(sessKV)
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, s, members.ErrNoSession
	}
	sess, err := s.Load(c.Value)
	if err != nil {
		return nil, s, err
	}
	if err := s.Touch(sess); err != nil {
		log.Printf("touch session: %v", err)
	}
	return sess, s, nil
}

func serveThread(w http.ResponseWriter, r *http.Request) {
	forumKV, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	slug := r.PathValue("slug")
	id, err := forumKV.NS().GetString(forum.SlugKey(slug), &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if id == edgekv.Null {
		http.NotFound(w, r)
		return
	}
	raw, err := forumKV.NS().GetString(forum.ThreadKey(id), &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if raw == edgekv.Null {
		http.Redirect(w, r, originBase+"/t/"+slug, http.StatusTemporaryRedirect)
		return
	}

	if sess, _, err := currentSession(r, sessKV); err == nil {
		readersKey := forum.ThreadKey(id) + ":readers"
		readers := map[string]time.Time{}
		if _, err := forumKV.GetJSON(readersKey, &readers); err != nil {
			log.Printf("readers %s: %v", id, err)
		}
		defer func() {
			readers[sess.MemberID] = time.Now().UTC()
			if err := forumKV.PutJSON(readersKey, readers, 7*24*time.Hour); err != nil { // EXPECT kvrace
				log.Printf("readers %s: %v", id, err)
			}
		}()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=15")
	_, _ = w.Write([]byte(raw))
}

func countView(w http.ResponseWriter, r *http.Request) {
	forumKV, _, ok := buckets(w)
	if !ok {
		return
	}
	key := "views:thread:" + r.PathValue("id")
	n := 0
	if raw, found, err := forumKV.Get(key); err == nil && found {
		n, _ = strconv.Atoi(raw)
	}
	n++
	if err := forumKV.NS().PutString(key, strconv.Itoa(n), nil); err != nil { // EXPECT kvcounter|kvrace
		fail(w, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

var postLimits = posting.Limits{Window: 10 * time.Minute, MaxPosts: 12, MinGap: 20 * time.Second}

const dailyPostQuota = 200

type newPost struct {
	Body string `json:"body"`
}

func createPost(w http.ResponseWriter, r *http.Request) {
	forumKV, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	sess, _, err := currentSession(r, sessKV)
	if err != nil {
		fail(w, http.StatusUnauthorized, err)
		return
	}
	if r.Header.Get("X-CSRF-Token") != sess.CSRF {
		fail(w, http.StatusForbidden, errors.New("csrf token mismatch"))
		return
	}
	var in newPost
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Body) == "" {
		fail(w, http.StatusBadRequest, errors.New("empty post"))
		return
	}

	var author forum.Member
	if _, err := forumKV.GetJSON(forum.MemberKey(sess.MemberID), &author); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if raw, found, err := forumKV.Get("quota:posts:" + sess.MemberID); err == nil && found {
		if n, _ := strconv.Atoi(raw); n >= dailyPostQuota {
			fail(w, http.StatusTooManyRequests, errors.New("daily post quota reached"))
			return
		}
	}
	lim := postLimits
	lim.B = forumKV
	d, err := lim.ForMember(author).Allow(sess.MemberID, time.Now())
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if !d.Allowed {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.RetryAfter.Seconds())+1))
		fail(w, http.StatusTooManyRequests, errors.New("slow down"))
		return
	}

	threadID := r.PathValue("id")
	p := forum.Post{
		ID:        forum.NewID(),
		ThreadID:  threadID,
		AuthorID:  sess.MemberID,
		Body:      in.Body,
		CreatedAt: time.Now().UTC(),
	}
	if err := forumKV.PutJSON("pending:post:"+p.ID, p, 24*time.Hour); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if err := (votes.Votes{B: forumKV}).Seed(p.ID); err != nil {
		log.Printf("seed score %s: %v", p.ID, err)
	}
	stamp := map[string]any{"thread": threadID, "post": p.ID, "at": p.CreatedAt.Unix()}
	if raw, err := json.Marshal(stamp); err == nil {
		if err := forumKV.NS().PutString("stats:last-post", string(raw), nil); err != nil { // EXPECT kvhotkey
			log.Printf("last-post: %v", err)
		}
	}
	writeJSON(w, http.StatusAccepted, p)
}

// editLease is how long a moderator's editor holds a thread.
const editLease = 30 * time.Second

func takeEditLease(w http.ResponseWriter, r *http.Request) {
	forumKV, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	sess, _, err := currentSession(r, sessKV)
	if err != nil || sess.Role == forum.RoleMember {
		fail(w, http.StatusForbidden, errors.New("moderators only"))
		return
	}
	key := "lease:thread:" + r.PathValue("id")
	err = forumKV.NS().PutString(key, sess.MemberID, &kv.PutOptions{
		Expiration: int(time.Now().Add(editLease).Unix()), // EXPECT kvttl
	})
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"holder": sess.MemberID, "seconds": int(editLease.Seconds())})
}

func castVote(w http.ResponseWriter, r *http.Request) {
	forumKV, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	sess, _, err := currentSession(r, sessKV)
	if err != nil {
		fail(w, http.StatusUnauthorized, err)
		return
	}
	dir, err := strconv.Atoi(r.URL.Query().Get("dir"))
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	score, err := votes.Votes{B: forumKV}.Cast(r.PathValue("id"), sess.MemberID, dir)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"score": score})
}

type categoryNode struct {
	Path     string   `json:"path"`
	Title    string   `json:"title"`
	Children []string `json:"children"`
	Threads  []string `json:"threads"`
}

func serveCategory(w http.ResponseWriter, r *http.Request) {
	forumKV, _, ok := buckets(w)
	if !ok {
		return
	}
	path := strings.Trim(r.PathValue("path"), "/")
	if path == "" {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	raw, err := forumKV.NS().GetString(forum.CategoryKey(path), &kv.GetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	var node categoryNode
	if err := json.Unmarshal([]byte(raw), &node); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, node)
}

// previewTTL keeps a rendered preview around while the author is typing.
const previewTTL = 20

func renderPreview(w http.ResponseWriter, r *http.Request) {
	forumKV, _, ok := buckets(w)
	if !ok {
		return
	}
	var in newPost
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	key := "preview:" + contentHash(in.Body)
	if html, found, err := forumKV.Get(key); err == nil && found {
		writeJSON(w, http.StatusOK, map[string]string{"html": html})
		return
	}
	html := renderMarkdown(in.Body)
	if err := forumKV.NS().PutString(key, html, &kv.PutOptions{ExpirationTTL: previewTTL}); err != nil { // EXPECT kvttl
		log.Printf("preview cache: %v", err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"html": html})
}
