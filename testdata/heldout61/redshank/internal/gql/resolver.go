package gql

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/relay"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/redshank-labs/redshank/internal/auth"
	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/experiments"
	"github.com/redshank-labs/redshank/internal/kvstore"
)

// JobInserter is the part of *river.Client the mutations use.
type JobInserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Resolver is the root resolver.
type Resolver struct {
	exps    *kvstore.Namespace
	sess    *kvstore.Namespace
	metrics *kvstore.Namespace
	cfg     *config.Config
	jobs    JobInserter
	log     *slog.Logger
}

func New(exps, sess, metrics *kvstore.Namespace, cfg *config.Config, jobs JobInserter, log *slog.Logger) *Resolver {
	return &Resolver{exps: exps, sess: sess, metrics: metrics, cfg: cfg, jobs: jobs, log: log}
}

type ctxKey struct{}

// Handler mounts the schema. The session token comes from the
// Authorization header or the rs_session cookie.
func Handler(r *Resolver) http.Handler {
	schema := graphql.MustParseSchema(schemaSDL, r, graphql.MaxDepth(8))
	h := &relay.Handler{Schema: schema}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		token := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
		if token == "" {
			if c, err := req.Cookie("rs_session"); err == nil {
				token = c.Value
			}
		}
		if token != "" {
			req = req.WithContext(context.WithValue(req.Context(), ctxKey{}, token))
		}
		h.ServeHTTP(w, req)
	})
}

func sessionToken(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

// currentSession loads the caller's session.
func (r *Resolver) currentSession(ctx context.Context) (*auth.Session, error) {
	token := sessionToken(ctx)
	if token == "" {
		return nil, auth.ErrUnauthenticated
	}
	var s auth.Session
	if err := r.sess.GetJSON(ctx, auth.SessionKey(token), &s); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, auth.ErrUnauthenticated
		}
		return nil, err
	}
	return &s, nil
}

// ---- queries ----

func (r *Resolver) Experiment(ctx context.Context, args struct{ ID graphql.ID }) (*experimentResolver, error) {
	if _, err := r.currentSession(ctx); err != nil {
		return nil, err
	}
	var e experiments.Experiment
	if err := r.exps.GetJSON(ctx, experiments.ExperimentKey(string(args.ID)), &e); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return &experimentResolver{root: r, e: e}, nil
}

func (r *Resolver) Experiments(ctx context.Context, args struct {
	First int32
	After *string
}) (*connectionResolver, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	limit := min(max(int(args.First), 10), 1000)
	var after string
	if args.After != nil {
		after = *args.After
	}
	keys, next, err := r.exps.ListPage(ctx, experiments.ExperimentPrefix, after, limit)
	if err != nil {
		return nil, err
	}
	conn := &connectionResolver{}
	for _, k := range keys {
		raw, err := r.exps.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		var e experiments.Experiment
		if err := json.Unmarshal(raw, &e); err != nil {
			r.log.Warn("skipping undecodable experiment", "key", k.Name, "err", err)
			continue
		}
		if e.Tenant != s.Tenant {
			continue
		}
		conn.nodes = append(conn.nodes, &experimentResolver{root: r, e: e})
	}
	if next != "" {
		conn.cursor = &next
	}
	return conn, nil
}

func (r *Resolver) APIKeys(ctx context.Context) ([]*apiKeyResolver, error) {
	s, err := r.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	keys, _, err := r.sess.ListPage(ctx, auth.APIKeyPrefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]*apiKeyResolver, 0, len(keys))
	for _, k := range keys {
		md, _ := k.Metadata.(map[string]any)
		if md["tenant"] != s.Tenant {
			continue
		}
		name, _ := md["name"].(string)
		created, _ := md["createdAt"].(string)
		out = append(out, &apiKeyResolver{id: strings.TrimPrefix(k.Name, auth.APIKeyPrefix), name: name, created: created})
	}
	return out, nil
}

// ---- object resolvers ----

type sessionResolver struct {
	s     auth.Session
	token *string
}

func (s *sessionResolver) ID() graphql.ID          { return graphql.ID(s.s.ID[:8]) }
func (s *sessionResolver) Email() string           { return s.s.Email }
func (s *sessionResolver) Tenant() string          { return s.s.Tenant }
func (s *sessionResolver) ExpiresAt() graphql.Time { return graphql.Time{Time: s.s.ExpiresAt} }
func (s *sessionResolver) Token() *string          { return s.token }

type experimentResolver struct {
	root *Resolver
	e    experiments.Experiment
}

func (e *experimentResolver) ID() graphql.ID { return graphql.ID(e.e.ID) }
func (e *experimentResolver) Key() string    { return e.e.Key }
func (e *experimentResolver) Name() string   { return e.e.Name }
func (e *experimentResolver) Status() string { return string(e.e.Status) }

func (e *experimentResolver) Variants() []*variantResolver {
	out := make([]*variantResolver, len(e.e.Variants))
	for i, v := range e.e.Variants {
		out[i] = &variantResolver{root: e.root, expID: e.e.ID, v: v}
	}
	return out
}

func (e *experimentResolver) Summary(ctx context.Context) (*summaryResolver, error) {
	raw, err := e.root.metrics.Get(ctx, experiments.SummaryKey(e.e.ID))
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var st experiments.RollupState
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, err
	}
	return &summaryResolver{st: st}, nil
}

type variantResolver struct {
	root  *Resolver
	expID string
	v     experiments.Variant
}

func (v *variantResolver) Name() string  { return v.v.Name }
func (v *variantResolver) Weight() int32 { return int32(v.v.Weight) }

func (v *variantResolver) Exposures(ctx context.Context) (int32, error) {
	raw, ok, err := v.root.metrics.Lookup(ctx, experiments.ExposureKey(v.expID, v.v.Name))
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, nil
	}
	return int32(n), nil
}

type summaryResolver struct{ st experiments.RollupState }

func (s *summaryResolver) Days() []string          { return s.st.Days }
func (s *summaryResolver) UpdatedAt() graphql.Time { return graphql.Time{Time: s.st.UpdatedAt} }

type connectionResolver struct {
	nodes  []*experimentResolver
	cursor *string
}

func (c *connectionResolver) Nodes() []*experimentResolver { return c.nodes }
func (c *connectionResolver) Cursor() *string              { return c.cursor }

type apiKeyResolver struct{ id, name, created string }

func (a *apiKeyResolver) ID() graphql.ID { return graphql.ID(a.id) }
func (a *apiKeyResolver) Name() string   { return a.name }
func (a *apiKeyResolver) CreatedAt() graphql.Time {
	t, _ := time.Parse(time.RFC3339, a.created)
	return graphql.Time{Time: t}
}
