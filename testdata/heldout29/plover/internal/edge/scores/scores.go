//go:build js && wasm

// Package scores takes results from referees and coaches at the field and
// publishes them to the live pages.
package scores

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/plover/internal/edge/kvactor"
	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/edge/sessions"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
	"example.com/plover/internal/league"
)

// Service implements the score endpoints.
type Service struct {
	kv      *kvbind.Client
	ns      *cloudflare.KVNamespace
	actor   *kvactor.Actor
	scores  *kvbind.Bucket
	matches *kvbind.Bucket
	ticker  *kvbind.Bucket
	feed    *kvbind.Bucket
	bus     *league.Bus
	quota   int
	now     func() time.Time
}

// Option configures the service.
type Option func(*Service)

// WithDailyQuota caps how many reports one account may file per day.
func WithDailyQuota(n int) Option { return func(s *Service) { s.quota = n } }

// New builds the service.
func New(kv *kvbind.Client, actor *kvactor.Actor, bus *league.Bus, opts ...Option) *Service {
	s := &Service{
		kv:      kv,
		ns:      kv.Binding(),
		actor:   actor,
		scores:  kv.Bucket("score"),
		matches: kv.Bucket("match"),
		ticker:  kv.Bucket("ticker"),
		feed:    kv.Bucket("feed", kvbind.WithTTL(7*24*time.Hour)),
		bus:     bus,
		quota:   40,
		now:     time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Register subscribes the service's listeners.
func (s *Service) Register(bus *league.Bus) {
	bus.Subscribe("scores.ticker", s.updateTicker)
	bus.Subscribe("scores.feed", s.publishFeed)
}

func reporter(ctx context.Context) (*sessions.Session, error) {
	sess := sessions.FromContext(ctx)
	if sess == nil {
		return nil, httpx.ErrUnauthorized
	}
	switch sess.Role {
	case league.RoleReferee, league.RoleCoach, league.RoleAdmin:
		return sess, nil
	}
	return nil, httpx.ErrForbidden
}

func (s *Service) match(id league.MatchID) (league.Match, error) {
	var m league.Match
	ok, err := s.matches.GetJSON(string(id), &m)
	if err != nil || !ok {
		return m, cmp.Or(err, httpx.ErrNotFound)
	}
	return m, nil
}

type ReportReq struct {
	Match   league.MatchID `json:"match"`
	Home    int            `json:"home"`
	Away    int            `json:"away"`
	Final   bool           `json:"final"`
	Version int            `json:"version"` // the version the reporter last saw
}

// Report records a result. A correction must name the version it corrects.
func (s *Service) Report(ctx context.Context, req ReportReq) (league.Score, error) {
	sess, err := reporter(ctx)
	if err != nil {
		return league.Score{}, err
	}
	m, err := s.match(req.Match)
	if err != nil {
		return league.Score{}, err
	}
	if req.Home < 0 || req.Away < 0 {
		return league.Score{}, httpx.Errorf(400, "goals cannot be negative")
	}
	if err := s.checkQuota(sess.Email, s.now()); err != nil {
		return league.Score{}, err
	}
	var cur league.Score
	found, err := s.scores.GetJSON(string(req.Match), &cur)
	if err != nil {
		return league.Score{}, err
	}
	if found && cur.Version != req.Version {
		return league.Score{}, httpx.ErrConflict
	}
	next := league.Score{
		Match:      req.Match,
		Home:       req.Home,
		Away:       req.Away,
		ReportedBy: sess.Email,
		ReportedAt: s.now().UTC(),
		Version:    cur.Version + 1,
		Final:      req.Final,
	}
	if err := s.scores.PutJSON(string(req.Match), next); err != nil { // EXPECT kvrace
		return league.Score{}, err
	}
	body, _ := json.Marshal(next)
	if err := s.ns.PutString("scores:latest", string(body), nil); err != nil { // EXPECT kvhotkey
		return league.Score{}, err
	}
	if err := s.bus.Publish(ctx, league.ScoreReported{Season: m.Season, Score: next}); err != nil {
		slog.Warn("score listeners", "match", req.Match, "err", err)
	}
	return next, nil
}

// checkQuota limits how many reports one account files per day.
func (s *Service) checkQuota(who string, now time.Time) error {
	key := keys.Daily("quota:reports", who, now)
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	used := 0
	if !kvbind.Missing(v) {
		if used, err = strconv.Atoi(v); err != nil {
			return err
		}
	}
	if used >= s.quota {
		return httpx.ErrTooMany
	}
	opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 86400}
	return s.ns.PutString(key, strconv.Itoa(used+1), opts) // EXPECT kvcounter
}

type HoldReq struct {
	Match league.MatchID `json:"match"`
}

// Hold tells other devices that someone is entering this match's result.
func (s *Service) Hold(ctx context.Context, req HoldReq) (struct{}, error) {
	sess, err := reporter(ctx)
	if err != nil {
		return struct{}{}, err
	}
	opts := &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	}
	return struct{}{}, s.ns.PutString("hold:"+string(req.Match), sess.Email, opts)
}

type LineupReq struct {
	Match   league.MatchID    `json:"match"`
	Team    league.TeamID     `json:"team"`
	Players []league.PlayerID `json:"players"`
}

// PostLineup publishes a team's starting lineup until kick-off, after which
// the match sheet is the record.
func (s *Service) PostLineup(ctx context.Context, req LineupReq) (struct{}, error) {
	if _, err := reporter(ctx); err != nil {
		return struct{}{}, err
	}
	m, err := s.match(req.Match)
	if err != nil {
		return struct{}{}, err
	}
	body, _ := json.Marshal(req.Players)
	ttl := max(time.Until(m.Kickoff), 5*time.Second) // EXPECT kvttl
	key := "lineup:" + string(m.ID) + ":" + string(req.Team)
	return struct{}{}, s.actor.Put(ctx, key, string(body), ttl)
}

// updateTicker keeps the homepage ticker on the most recent result.
func (s *Service) updateTicker(ctx context.Context, e league.Event) error {
	ev, ok := e.(league.ScoreReported)
	if !ok {
		return nil
	}
	line := string(ev.Score.Match) + " " + strconv.Itoa(ev.Score.Home) + "-" + strconv.Itoa(ev.Score.Away)
	return s.ticker.Put("last-result", line) // EXPECT kvhotkey
}

// publishFeed writes the per-match feed entry that the live page polls.
func (s *Service) publishFeed(ctx context.Context, e league.Event) error {
	ev, ok := e.(league.ScoreReported)
	if !ok {
		return nil
	}
	return s.feed.PutJSON(string(ev.Score.Match), ev.Score)
}
