// Package plugin is jabiru's Grafana backend data source. It queries the
// metrics upstream through a KV query cache, enforces per-organisation
// quotas and serves the snapshot, token, silence and annotation resources.
package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/jabiru-observability/jabiru/internal/annotations"
	"github.com/jabiru-observability/jabiru/internal/kvstore"
	"github.com/jabiru-observability/jabiru/internal/orgs"
	"github.com/jabiru-observability/jabiru/internal/querycache"
	"github.com/jabiru-observability/jabiru/internal/quota"
	"github.com/jabiru-observability/jabiru/internal/silences"
	"github.com/jabiru-observability/jabiru/internal/snapshots"
	"github.com/jabiru-observability/jabiru/internal/tokens"
)

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

const (
	healthProbeKey = "health:probe"
	healthProbeTTL = 30 * time.Second
	recentQueries  = 50
)

// Datasource is one configured instance of the data source.
type Datasource struct {
	settings  *Settings
	ns        *kvstore.Namespace
	orgs      *orgs.Registry
	cache     *querycache.Cache
	quotas    *quota.Tracker
	snaps     *snapshots.Service
	tokens    *tokens.Store
	silences  *silences.Service
	notes     *annotations.Service
	http      *http.Client
	resources backend.CallResourceHandler
	logger    log.Logger
}

// NewDatasource is the instance factory handed to datasource.Manage.
func NewDatasource(ctx context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	settings, err := LoadSettings(s)
	if err != nil {
		return nil, err
	}
	ns := kvstore.Open(settings.APIToken, settings.AccountID, settings.NamespaceID)
	d := &Datasource{
		settings: settings,
		ns:       ns,
		orgs:     orgs.NewRegistry(ns, settings.Limits),
		cache:    querycache.New(settings.FlushEvery),
		quotas:   quota.NewTracker(),
		snaps:    &snapshots.Service{},
		tokens:   &tokens.Store{},
		silences: &silences.Service{},
		notes:    &annotations.Service{},
		http:     &http.Client{Timeout: 30 * time.Second},
		logger:   log.DefaultLogger.With("datasource", s.UID),
	}
	d.resources = d.annotationRoutes()
	return d, nil
}

// Dispose is called when the settings change and the instance is replaced.
func (d *Datasource) Dispose() { d.http.CloseIdleConnections() }

// queryModel is the JSON the query editor sends.
type queryModel struct {
	Expr      string `json:"expr"`
	Legend    string `json:"legend"`
	NoCache   bool   `json:"noCache"`
	MinStepMs int64  `json:"minStepMs"`
}

// QueryData runs every query of the request against the upstream.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	pc := req.PluginContext
	h := d.orgs.For(pc.OrgID)
	resp := backend.NewQueryDataResponse()

	if _, err := d.quotas.Consume(ctx, h, len(req.Queries)); errors.Is(err, quota.ErrExceeded) {
		for _, q := range req.Queries {
			resp.Responses[q.RefID] = backend.ErrDataResponse(backend.StatusTooManyRequests, err.Error())
		}
		return resp, nil
	} else if err != nil {
		d.logger.Warn("quota check failed, allowing query", "org", pc.OrgID, "error", err)
	}

	var exprs []string
	defer func() {
		if len(exprs) > 0 {
			d.remember(context.WithoutCancel(ctx), h, exprs)
		}
	}()

	login := "anonymous"
	if pc.User != nil {
		login = pc.User.Login
	}
	history := h.Key("history", login)
	for _, q := range req.Queries {
		var qm queryModel
		if err := json.Unmarshal(q.JSON, &qm); err != nil {
			resp.Responses[q.RefID] = backend.ErrDataResponse(backend.StatusBadRequest, "invalid query: "+err.Error())
			continue
		}
		exprs = append(exprs, qm.Expr)
		resp.Responses[q.RefID] = d.query(ctx, h, q, qm)
		if err := h.NS.Put(ctx, history.Value(), q.JSON, 0); err != nil { // EXPECT kvhotkey
			d.logger.Debug("query history not saved", "error", err)
		}
	}
	return resp, nil
}

func (d *Datasource) query(ctx context.Context, h *orgs.Handle, q backend.DataQuery, qm queryModel) backend.DataResponse {
	step := max(q.Interval, time.Duration(qm.MinStepMs)*time.Millisecond, time.Second)
	if n := q.MaxDataPoints; n > 0 && q.TimeRange.Duration()/step > time.Duration(n) {
		step = q.TimeRange.Duration() / time.Duration(n)
	}
	load := func(ctx context.Context) (*querycache.Result, error) {
		return d.fetch(ctx, qm.Expr, q.TimeRange, step)
	}

	var (
		res *querycache.Result
		err error
	)
	key := querycache.KeyFor(h, qm.Expr, q.TimeRange.From, q.TimeRange.To, step)
	switch live := time.Since(q.TimeRange.To) < time.Minute; {
	case qm.NoCache:
		res, err = load(ctx)
	case live:
		res, err = d.cache.Fetch(ctx, h, key, max(2*q.Interval, 5*time.Second), load) // EXPECT kvttl
	default:
		res, err = d.cache.Fetch(ctx, h, key, h.Limits.QueryCacheTTL, load)
	}
	if err != nil {
		return backend.ErrDataResponse(backend.StatusBadGateway, err.Error())
	}

	times := make([]time.Time, len(res.Points))
	values := make([]float64, len(res.Points))
	for i, p := range res.Points {
		times[i] = time.UnixMilli(p.T)
		values[i] = p.V
	}
	name := qm.Legend
	if name == "" {
		name = res.Series
	}
	frame := data.NewFrame(q.RefID,
		data.NewField("time", nil, times),
		data.NewField(name, nil, values),
	)
	frame.RefID = q.RefID
	return backend.DataResponse{Frames: data.Frames{frame}}
}

// remember keeps the organisation's most recent expressions for the query
// editor's suggestions.
func (d *Datasource) remember(ctx context.Context, h *orgs.Handle, exprs []string) {
	key := h.Key("recent", "exprs").Value()
	var recent []string
	if _, err := h.NS.GetJSON(ctx, key, &recent); err != nil {
		return
	}
	recent = append(exprs, recent...)
	if len(recent) > recentQueries {
		recent = recent[:recentQueries]
	}
	body, _ := json.Marshal(recent)
	if err := h.NS.Put(ctx, key, body, 0); err != nil { // EXPECT kvrace
		d.logger.Debug("recent queries not saved", "error", err)
	}
}

func (d *Datasource) fetch(ctx context.Context, expr string, tr backend.TimeRange, step time.Duration) (*querycache.Result, error) {
	u, err := url.Parse(d.settings.UpstreamURL)
	if err != nil {
		return nil, err
	}
	u = u.JoinPath("api/v1/query_range")
	u.RawQuery = url.Values{
		"query": {expr},
		"start": {strconv.FormatInt(tr.From.Unix(), 10)},
		"end":   {strconv.FormatInt(tr.To.Unix(), 10)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if d.settings.UpstreamKey != "" {
		req.Header.Set("Authorization", "Bearer "+d.settings.UpstreamKey)
	}
	res, err := d.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("upstream: %s", res.Status)
	}
	var out querycache.Result
	return &out, json.NewDecoder(res.Body).Decode(&out)
}

// CheckHealth verifies that the namespace is reachable and writable.
func (d *Datasource) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	keys, accountID := d.ns.Keys()
	if _, err := keys.List(ctx, d.ns.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(accountID),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	}); err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: "cannot list namespace: " + err.Error()}, nil
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := d.ns.Put(ctx, healthProbeKey, []byte(stamp), // DEBATABLE kvhotkey
		healthProbeTTL); err != nil { // EXPECT kvttl
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: "namespace is read-only: " + err.Error()}, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: "KV namespace " + d.ns.ID() + " is reachable"}, nil
}
