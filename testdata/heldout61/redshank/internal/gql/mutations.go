package gql

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/riverqueue/river"

	"github.com/redshank-labs/redshank/internal/auth"
	"github.com/redshank-labs/redshank/internal/experiments"
	"github.com/redshank-labs/redshank/internal/jobs"
	"github.com/redshank-labs/redshank/internal/kvstore"
)

var errSlugTaken = errors.New("an experiment with this key already exists")

type variantInput struct {
	Name   string
	Weight int32
}

type experimentInput struct {
	Key      string
	Name     string
	Variants []variantInput
	StartsAt *graphql.Time
	EndsAt   *graphql.Time
}

func (r *Resolver) Login(ctx context.Context, args struct{ Email, Password string }) (*sessionResolver, error) {
	email := auth.NormalizeEmail(args.Email)
	attemptsKey := auth.LoginAttemptsKey(email)

	attempts := 0
	if raw, ok, err := r.sess.Lookup(ctx, attemptsKey); err != nil {
		return nil, err
	} else if ok {
		attempts, _ = strconv.Atoi(string(raw))
	}
	if attempts >= r.cfg.Sessions.MaxLoginAttempts {
		return nil, auth.ErrTooManyAttempts
	}

	var u auth.User
	err := r.sess.GetJSON(ctx, auth.UserKey(email), &u)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if err != nil || !auth.CheckSecret(u.PasswordHash, args.Password) {
		next := strconv.Itoa(attempts + 1)
		if err := r.sess.PutTTL(ctx, attemptsKey, []byte(next), r.cfg.Sessions.LockoutWindow); err != nil { // EXPECT kvcounter|kvrace
			r.log.Warn("recording failed login", "err", err)
		}
		return nil, auth.ErrBadCredentials
	}
	return r.startSession(ctx, u)
}

// startSession creates a fresh session for u and returns it with its token.
func (r *Resolver) startSession(ctx context.Context, u auth.User) (*sessionResolver, error) {
	now := time.Now().UTC()
	s := auth.Session{
		ID:        auth.NewToken(32),
		UserID:    u.ID,
		Email:     u.Email,
		Tenant:    u.Tenant,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(r.cfg.Sessions.TTL),
	}
	if err := r.sess.PutJSON(ctx, auth.SessionKey(s.ID), s, r.cfg.Sessions.TTL); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	token := s.ID
	return &sessionResolver{s: s, token: &token}, nil
}

func (r *Resolver) RequestMagicLink(ctx context.Context, args struct{ Email string }) (bool, error) {
	email := auth.NormalizeEmail(args.Email)
	if _, ok, err := r.sess.Lookup(ctx, auth.UserKey(email)); err != nil || !ok {
		// Do not reveal whether the address has an account.
		return true, err
	}
	token := auth.NewToken(24)
	link := auth.MagicLink{Email: email, ExpiresAt: time.Now().Add(r.cfg.Sessions.MagicLinkTTL)}
	if err := r.sess.PutJSON(ctx, auth.MagicLinkKey(token), link, r.cfg.Sessions.MagicLinkTTL); err != nil {
		return false, err
	}
	r.log.Info("magic link issued", "email", email, "url", "https://console.redshank.dev/login/"+token)
	return true, nil
}

func (r *Resolver) RedeemMagicLink(ctx context.Context, args struct{ Token string }) (*sessionResolver, error) {
	key := auth.MagicLinkKey(args.Token)
	var link auth.MagicLink
	if err := r.sess.GetJSON(ctx, key, &link); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, auth.ErrExpired
		}
		return nil, err
	}
	if time.Now().After(link.ExpiresAt) {
		return nil, auth.ErrExpired
	}
	if err := r.sess.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	var u auth.User
	if err := r.sess.GetJSON(ctx, auth.UserKey(link.Email), &u); err != nil {
		return nil, err
	}
	return r.startSession(ctx, u)
}

func (r *Resolver) Logout(ctx context.Context) (bool, error) {
	token := sessionToken(ctx)
	if token == "" {
		return false, nil
	}
	if err := r.sess.Delete(ctx, auth.SessionKey(token)); err != nil { // EXPECT kvsession
		return false, err
	}
	return true, nil
}

func (r *Resolver) ChangePassword(ctx context.Context, args struct{ Current, Next string }) (bool, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return false, err
	}
	var u auth.User
	if err := r.sess.GetJSON(ctx, auth.UserKey(s.Email), &u); err != nil {
		return false, err
	}
	if !auth.CheckSecret(u.PasswordHash, args.Current) {
		return false, auth.ErrBadCredentials
	}
	if len(args.Next) < 12 {
		return false, errors.New("password must be at least 12 characters")
	}
	hash, err := auth.HashSecret(args.Next)
	if err != nil {
		return false, err
	}
	u.PasswordHash = hash
	u.PasswordAt = time.Now().UTC()
	if err := r.sess.PutJSON(ctx, auth.UserKey(u.Email), u, 0); err != nil { // EXPECT kvrace
		return false, err
	}
	// Sessions created before this instant are refused by the auth checks.
	stamp := []byte(u.PasswordAt.Format(time.RFC3339Nano))
	if err := r.sess.PutTTL(ctx, auth.RevokedBeforeKey(u.ID), stamp, r.cfg.Sessions.TTL); err != nil { // EXPECT kvsession
		return false, err
	}
	return true, nil
}

type createdKeyResolver struct{ id, secret string }

func (c *createdKeyResolver) ID() graphql.ID { return graphql.ID(c.id) }
func (c *createdKeyResolver) Secret() string { return c.secret }

func (r *Resolver) CreateAPIKey(ctx context.Context, args struct{ Name string }) (*createdKeyResolver, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	id, secret := auth.NewToken(9), auth.NewToken(32)
	hash, err := auth.HashSecret(secret)
	if err != nil {
		return nil, err
	}
	k := auth.APIKey{ID: id, Tenant: s.Tenant, Name: args.Name, SecretHash: hash, CreatedAt: time.Now().UTC()}
	api, rc, ns := r.sess.SDK()
	body, _ := jsonString(k)
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflareBulk(ns, auth.APIKeyKey(id), body, map[string]any{
		"tenant":    s.Tenant,
		"name":      args.Name,
		"createdAt": k.CreatedAt.Format(time.RFC3339),
	}))
	if err != nil {
		return nil, err
	}
	r.touchChangeFeed(ctx, s.Tenant)
	return &createdKeyResolver{id: id, secret: "rs_" + id + "." + secret}, nil
}

func (r *Resolver) RevokeAPIKey(ctx context.Context, args struct{ ID graphql.ID }) (bool, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return false, err
	}
	var k auth.APIKey
	if err := r.sess.GetJSON(ctx, auth.APIKeyKey(string(args.ID)), &k); err != nil || k.Tenant != s.Tenant {
		return false, err
	}
	if err := r.sess.Delete(ctx, auth.APIKeyKey(k.ID)); err != nil { // EXPECT kvsession
		return false, err
	}
	r.touchChangeFeed(ctx, s.Tenant)
	return true, nil
}

func (r *Resolver) CreateExperiment(ctx context.Context, args struct{ Input experimentInput }) (*experimentResolver, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	now := time.Now().UTC()
	e := experiments.Experiment{
		ID:        auth.NewToken(12),
		Key:       in.Key,
		Tenant:    s.Tenant,
		Name:      in.Name,
		Status:    experiments.StatusRunning,
		Salt:      auth.NewToken(8),
		StartsAt:  now,
		CreatedAt: now,
		UpdatedAt: now,
	}
	for _, v := range in.Variants {
		e.Variants = append(e.Variants, experiments.Variant{Name: v.Name, Weight: int(v.Weight)})
	}
	if in.StartsAt != nil {
		e.StartsAt = in.StartsAt.Time
	}
	if in.EndsAt != nil {
		e.EndsAt = in.EndsAt.Time
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}

	slugKey := experiments.SlugKey(s.Tenant, in.Key)
	if _, taken, err := r.exps.Lookup(ctx, slugKey); err != nil {
		return nil, err
	} else if taken {
		return nil, errSlugTaken
	}
	if err := r.exps.Put(ctx, slugKey, []byte(e.ID)); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := r.exps.PutJSON(ctx, experiments.ExperimentKey(e.ID), e, 0); err != nil {
		return nil, err
	}

	if _, err := r.jobs.Insert(ctx, jobs.BucketTableArgs{ExperimentID: e.ID}, nil); err != nil {
		r.log.Error("enqueue bucket table", "experiment", e.ID, "err", err)
	}
	if !e.EndsAt.IsZero() {
		args := jobs.CloseExperimentArgs{ExperimentID: e.ID, EndsAt: e.EndsAt}
		if _, err := r.jobs.Insert(ctx, args, &river.InsertOpts{ScheduledAt: e.StartsAt}); err != nil {
			r.log.Error("enqueue close", "experiment", e.ID, "err", err)
		}
	}
	r.touchChangeFeed(ctx, s.Tenant)
	return &experimentResolver{root: r, e: e}, nil
}

func (r *Resolver) UpdateWeights(ctx context.Context, args struct {
	ID      graphql.ID
	Weights []variantInput
}) (*experimentResolver, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	key := experiments.ExperimentKey(string(args.ID))
	var e experiments.Experiment
	if err := r.exps.GetJSON(ctx, key, &e); err != nil {
		return nil, err
	}
	if e.Tenant != s.Tenant {
		return nil, kvstore.ErrNotFound
	}
	weights := make(map[string]int, len(args.Weights))
	for _, w := range args.Weights {
		weights[w.Name] = int(w.Weight)
	}
	for i := range e.Variants {
		if w, ok := weights[e.Variants[i].Name]; ok {
			e.Variants[i].Weight = w
		}
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	e.UpdatedAt = time.Now().UTC()
	if err := r.exps.PutJSON(ctx, key, e, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	r.touchChangeFeed(ctx, s.Tenant)
	return &experimentResolver{root: r, e: e}, nil
}

func (r *Resolver) AddVariant(ctx context.Context, args struct {
	ID      graphql.ID
	Variant variantInput
}) (*experimentResolver, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	key := experiments.ExperimentKey(string(args.ID))
	var e experiments.Experiment
	if err := r.exps.GetJSON(ctx, key, &e); err != nil {
		return nil, err
	}
	if e.Tenant != s.Tenant {
		return nil, kvstore.ErrNotFound
	}
	for _, v := range e.Variants {
		if v.Name == args.Variant.Name {
			return nil, fmt.Errorf("variant %q already exists", v.Name)
		}
	}
	e.Variants = append(e.Variants, experiments.Variant{Name: args.Variant.Name, Weight: int(args.Variant.Weight)})
	if err := e.Validate(); err != nil {
		return nil, err
	}
	e.UpdatedAt = time.Now().UTC()
	raw, _ := jsonString(e)
	if err := r.exps.Put(ctx, key, []byte(raw)); err != nil { // EXPECT kvrace
		return nil, err
	}
	r.touchChangeFeed(ctx, s.Tenant)
	return &experimentResolver{root: r, e: e}, nil
}

// StopExperiment records the stop in its own key; the edge reads it next
// to the definition, so the definition itself is never rewritten here.
func (r *Resolver) StopExperiment(ctx context.Context, args struct{ ID graphql.ID }) (bool, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return false, err
	}
	stopped := fmt.Sprintf(`{"status":%q,"by":%q,"at":%q}`, experiments.StatusStopped, s.Email, time.Now().UTC().Format(time.RFC3339))
	if err := r.exps.Put(ctx, experiments.StatusKey(string(args.ID)), []byte(stopped)); err != nil {
		return false, err
	}
	r.touchChangeFeed(ctx, s.Tenant)
	return true, nil
}

// CacheAudience precompiles the default audience rule so the edge does not
// parse it on every request.
func (r *Resolver) CacheAudience(ctx context.Context) (bool, error) {
	if _, err := r.currentSession(ctx); err != nil {
		return false, err
	}
	a := experiments.CompileAudience(experiments.DefaultAudienceRule)
	if err := r.exps.PutJSON(ctx, "audience:"+experiments.DefaultAudienceRule, a, 0); err != nil { // EXPECT kvlimits
		return false, err
	}
	return true, nil
}

// touchChangeFeed lets console tabs notice that something changed.
func (r *Resolver) touchChangeFeed(ctx context.Context, tenant string) {
	body := fmt.Sprintf(`{"tenant":%q,"at":%d}`, tenant, time.Now().UnixMilli())
	if err := r.metrics.Put(ctx, "console:last-change", []byte(body)); err != nil { // EXPECT kvhotkey
		r.log.Warn("change feed", "err", err)
	}
}
