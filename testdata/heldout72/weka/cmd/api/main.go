// Command api is the backend of the Q&A site: it serves the JSON API the web
// and mobile apps use, and keeps the KV projections the edge Worker reads.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"weka/internal/activity"
	"weka/internal/auth"
	"weka/internal/codec"
	"weka/internal/drafts"
	"weka/internal/feed"
	"weka/internal/kvstore"
	"weka/internal/rep"
	"weka/internal/views"
)

type server struct {
	kv       *kvstore.Client
	db       *sql.DB
	auth     *auth.Service
	uniques  *views.Uniques
	tally    *views.Tally
	feed     *feed.Builder
	activity *activity.Store
	rep      *rep.Service
	drafts   *drafts.Store
	askGap   time.Duration
}

func main() {
	kv, err := kvstore.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"))
	if err != nil {
		log.Fatal(err)
	}
	kvstore.NSQuestions = kvstore.Namespace(os.Getenv("KV_QUESTIONS"))
	kvstore.NSMetrics = kvstore.Namespace(os.Getenv("KV_METRICS"))
	kvstore.NSAuth = kvstore.Namespace(os.Getenv("KV_AUTH"))
	kvstore.NSMod = kvstore.Namespace(os.Getenv("KV_MOD"))
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	node, _ := os.Hostname()
	gap, err := time.ParseDuration(os.Getenv("ASK_COOLDOWN"))
	if err != nil {
		gap = 20 * time.Second
	}
	s := &server{
		kv:       kv,
		db:       db,
		auth:     &auth.Service{KV: kv},
		uniques:  &views.Uniques{KV: kv, Node: node},
		tally:    views.NewTally(),
		feed:     &feed.Builder{KV: kv, DB: db},
		activity: &activity.Store{KV: kv},
		rep:      &rep.Service{KV: kv, DB: db, Node: node},
		drafts:   &drafts.Store{KV: kv},
		askGap:   gap,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go s.flushLoop(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/q/{id}", s.withSession(s.viewQuestion))
	mux.HandleFunc("POST /api/q", s.withSession(s.ask))
	mux.HandleFunc("POST /api/q/{id}/answers", s.withSession(s.answer))
	mux.HandleFunc("PUT /api/q/{id}/draft", s.withSession(s.saveDraft))
	mux.HandleFunc("GET /api/feed", s.withSession(s.home))
	mux.HandleFunc("POST /api/logout", s.withSession(s.logout))
	mux.HandleFunc("POST /api/login/link", s.loginLink)
	mux.HandleFunc("GET /api/login/{token}", s.redeem)
	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		_ = s.tally.Flush(shut, kv)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// flushLoop writes the view tallies every ten seconds.
func (s *server) flushLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.tally.Flush(ctx, s.kv); err != nil {
				log.Printf("flush views: %v", err)
			}
		}
	}
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, sess *auth.Session)

func (s *server) withSession(next sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		sess, err := s.auth.Load(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		if err := s.auth.Touch(r.Context(), sess, time.Now()); err != nil {
			log.Printf("touch session: %v", err)
		}
		next(w, r, sess)
	}
}

func pathID(r *http.Request) (uint64, error) {
	return strconv.ParseUint(r.PathValue("id"), 10, 64)
}

func (s *server) viewQuestion(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	q, err := pathID(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	now := time.Now()
	s.tally.Hit(q)
	viewer := strconv.FormatUint(sess.UserID, 10)
	if err := s.uniques.Record(r.Context(), q, viewer, now); err != nil {
		log.Printf("uniques: %v", err)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		if err := views.MarkActive(ctx, s.kv, uint(sess.UserID), now); err != nil {
			log.Printf("dau: %v", err)
		}
	}()
	body, found, err := s.kv.Get(r.Context(), kvstore.NSQuestions, fmt.Sprintf("q:%d:json", q))
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	if !found {
		var title, text string
		if err := s.db.QueryRowContext(r.Context(), `SELECT title, body FROM questions WHERE id = $1`, q).Scan(&title, &text); err != nil {
			http.NotFound(w, r)
			return
		}
		body, _ = json.Marshal(map[string]any{"id": q, "title": title, "body": text})
		if err := s.kv.PutTTL(r.Context(), kvstore.NSQuestions, fmt.Sprintf("q:%d:json", q), body, 10*time.Minute); err != nil {
			log.Printf("cache question: %v", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func (s *server) ask(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	cooldown := fmt.Sprintf("cooldown:ask:%d", sess.UserID)
	if _, found, err := s.kv.Get(r.Context(), kvstore.NSMetrics, cooldown); err == nil && found {
		http.Error(w, "please wait before asking again", http.StatusTooManyRequests)
		return
	}
	var in struct {
		Title string   `json:"title"`
		Body  string   `json:"body"`
		Tags  []string `json:"tags"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var q uint64
	if err := s.db.QueryRowContext(r.Context(), `INSERT INTO questions (author, title, body) VALUES ($1, $2, $3) RETURNING id`, sess.UserID, in.Title, in.Body).Scan(&q); err != nil {
		http.Error(w, "db", http.StatusInternalServerError)
		return
	}
	ttl := max(2*s.askGap, 3*time.Second)                                                 // EXPECT kvttl
	_ = s.kv.PutWithMeta(r.Context(), kvstore.NSMetrics, cooldown, []byte("1"), nil, ttl) // DEBATABLE kvrace
	for _, tag := range in.Tags {
		if err := s.feed.AddToTag(r.Context(), tag, q); err != nil {
			log.Printf("tag %s: %v", tag, err)
		}
	}
	now := time.Now()
	_ = s.activity.Record(r.Context(), codec.Event{At: now, Kind: 1, Ref: q, Actor: sess.UserID})
	_ = s.kv.Put(r.Context(), kvstore.NSQuestions, "site:last-question", []byte(strconv.FormatUint(q, 10))) // EXPECT kvhotkey
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]uint64{"id": q})
}

func (s *server) answer(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	q, err := pathID(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var author uint64
	if err := s.db.QueryRowContext(r.Context(), `INSERT INTO answers (question_id, author, body) VALUES ($1, $2, $3) RETURNING (SELECT author FROM questions WHERE id = $1)`, q, sess.UserID, in.Body).Scan(&author); err != nil {
		http.Error(w, "db", http.StatusInternalServerError)
		return
	}
	now := time.Now()
	ev := codec.Event{At: now, Kind: 2, Ref: q, Actor: sess.UserID}
	_ = s.activity.Record(r.Context(), ev)
	_ = s.activity.Append(r.Context(), q, ev)
	if _, err := s.rep.Adjust(r.Context(), author, 2, now); err != nil {
		log.Printf("rep: %v", err)
	}
	_ = s.drafts.Discard(r.Context(), sess.UserID, q)
	_ = s.kv.Delete(r.Context(), kvstore.NSQuestions, fmt.Sprintf("q:%d:json", q))
	w.WriteHeader(http.StatusCreated)
}

func (s *server) saveDraft(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	q, err := pathID(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var in struct {
		Body  string `json:"body"`
		Final bool   `json:"final"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if in.Final {
		err = s.drafts.Save(r.Context(), sess.UserID, q, in.Body, time.Now())
	} else {
		err = s.drafts.Scratch(r.Context(), sess.UserID, q, in.Body)
	}
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) home(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	rows, err := s.db.QueryContext(r.Context(), `SELECT tag FROM follows WHERE user_id = $1`, sess.UserID)
	if err != nil {
		http.Error(w, "db", http.StatusInternalServerError)
		return
	}
	var tags []string
	for rows.Next() {
		var t string
		if rows.Scan(&t) == nil {
			tags = append(tags, t)
		}
	}
	rows.Close()
	ids, err := s.feed.BuildHome(r.Context(), sess.UserID, tags, time.Now())
	if err != nil {
		http.Error(w, "feed", http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(ids)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := s.auth.Logout(r.Context(), sess.ID); err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) loginLink(w http.ResponseWriter, r *http.Request) {
	var uid uint64
	if err := s.db.QueryRowContext(r.Context(), `SELECT id FROM users WHERE email = $1`, r.FormValue("email")).Scan(&uid); err != nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	token, err := s.auth.SendMagicLink(r.Context(), uid)
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	log.Printf("login link for %d: /api/login/%s", uid, token)
	w.WriteHeader(http.StatusAccepted)
}

func (s *server) redeem(w http.ResponseWriter, r *http.Request) {
	sess, err := s.auth.RedeemMagicLink(r.Context(), r.PathValue("token"), time.Now())
	if err != nil {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: sess.ExpiresAt})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
