// Package deploy runs deploy approvals, environment locks and rollouts, and
// streams a deploy's status to the dashboard.
package deploy

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
)

// Deploy is one request to ship a commit to an environment.
type Deploy struct {
	ID          string    `json:"id"`
	Env         string    `json:"env"`
	Repo        string    `json:"repo"`
	SHA         string    `json:"sha"`
	RequestedBy string    `json:"requested_by"`
	Required    int       `json:"required_approvals"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// Approval is one approver's sign-off.
type Approval struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

type approvalLink struct {
	DeployID string `json:"deploy_id"`
	Approver string `json:"approver"`
}

// Service serves the deploy endpoints.
type Service struct {
	KV      *kvstore.Store // main namespace
	History *kvstore.Store // HISTORY namespace
	Log     *slog.Logger
	BaseURL string

	mu      sync.Mutex
	viewers map[string]int64
}

const (
	linkTTL          = time.Hour
	lockTTL          = 20 * time.Minute
	noticeFor        = 45 * time.Second
	deployRetention  = 30 * 24 * time.Hour
	archiveRetention = 90 * 24 * time.Hour
	statusPoll       = 2 * time.Second
)

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Start records a new deploy and shows a notice on the environment's page
// while it runs.
func (s *Service) Start(ctx context.Context, d Deploy) error {
	d.Status, d.CreatedAt = "pending", time.Now().UTC()
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := s.KV.PutTTL(ctx, "deploys/"+d.ID, b, deployRetention); err != nil {
		return err
	}
	notice := fmt.Sprintf("%s is deploying %s@%.7s", d.RequestedBy, d.Repo, d.SHA)
	return s.KV.PutAt(ctx, "environments/"+d.Env+"/notice", []byte(notice), time.Now().Add(noticeFor)) // EXPECT kvttl
}

// CreateApprovalLink handles POST /deploys/{id}/approval-links and mints a
// single-use approval link for one approver.
func (s *Service) CreateApprovalLink(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Approver string `json:"approver"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Approver == "" {
		http.Error(w, "approver required", http.StatusBadRequest)
		return
	}
	tok := rand.Text()
	rec, _ := json.Marshal(approvalLink{DeployID: r.PathValue("id"), Approver: body.Approver})
	if err := s.KV.PutTTL(r.Context(), "approval-links/"+tok, rec, linkTTL); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"url": s.BaseURL + "/approve/" + tok})
}

// Approve handles GET /approve/{token}, the link an approver clicks.
func (s *Service) Approve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := r.PathValue("token")
	var link approvalLink
	if err := s.KV.GetJSON(ctx, "approval-links/"+tok, &link); errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "link expired or already used", http.StatusGone)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := s.KV.Delete(ctx, "approval-links/"+tok); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	approvals, err := s.recordApproval(ctx, link.DeployID, link.Approver)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, approvals)
}

func (s *Service) recordApproval(ctx context.Context, deployID, approver string) ([]Approval, error) {
	key := "deploys/" + deployID + "/approvals"
	var list []Approval
	if err := s.KV.GetJSON(ctx, key, &list); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if slices.ContainsFunc(list, func(a Approval) bool { return a.By == approver }) {
		return list, nil
	}
	list = append(list, Approval{By: approver, At: time.Now().UTC()})
	b, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	if err := s.KV.PutTTL(ctx, key, b, deployRetention); err != nil { // EXPECT kvrace
		return nil, err
	}
	return list, nil
}

// Lock handles POST /environments/{env}/lock?deploy=ID so that one deploy at
// a time runs against an environment.
func (s *Service) Lock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	owner := r.URL.Query().Get("deploy")
	key := "locks/environments/" + r.PathValue("env")
	if holder, err := s.KV.Get(ctx, key); err == nil {
		http.Error(w, "environment locked by deploy "+string(holder), http.StatusConflict)
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if err := s.KV.PutTTL(ctx, key, []byte(owner), lockTTL); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Freeze handles POST /environments/{env}/freeze: no deploys for the rest of
// the day.
func (s *Service) Freeze(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
	reason := r.URL.Query().Get("reason")
	if err := s.KV.PutAt(r.Context(), "environments/"+r.PathValue("env")+"/freeze", []byte(reason), endOfDay); err != nil { // DEBATABLE kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Manifest is one rendered Kubernetes manifest of a deploy.
type Manifest struct {
	Kind string          `json:"kind"`
	Name string          `json:"name"`
	Body json.RawMessage `json:"body"`
}

// UploadManifests handles PUT /deploys/{id}/manifests with the rendered
// manifests of a deploy.
func (s *Service) UploadManifests(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	var manifests []Manifest
	if err := json.NewDecoder(r.Body).Decode(&manifests); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	summaryKey := "deploys/" + id + "/manifest-summary"
	kinds := map[string]int{}
	for i, m := range manifests {
		if err := s.KV.PutTTL(ctx, fmt.Sprintf("deploys/%s/manifests/%03d", id, i), m.Body, deployRetention); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		kinds[m.Kind]++
		summary, _ := json.Marshal(map[string]any{"uploaded": i + 1, "of": len(manifests), "kinds": kinds})
		if err := s.KV.Put(ctx, summaryKey, summary, nil); err != nil { // EXPECT kvhotkey
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

var rolloutSteps = []int{5, 25, 50, 100}

// Promote walks a deploy through the canary steps. apply shifts traffic and
// returns once the new pods are healthy at that percentage.
func (s *Service) Promote(ctx context.Context, d Deploy, apply func(ctx context.Context, percent int) error) error {
	stepKey := "deploys/" + d.ID + "/current-step"
	for i, pct := range rolloutSteps {
		if err := apply(ctx, pct); err != nil {
			return fmt.Errorf("rollout %s at %d%%: %w", d.ID, pct, err)
		}
		rec := []byte(fmt.Sprintf(`{"step":%d,"percent":%d,"at":%d}`, i, pct, time.Now().Unix()))
		if err := s.KV.Put(ctx, stepKey, rec, nil); err != nil { // DEBATABLE kvhotkey
			return err
		}
	}
	d.Status = "succeeded"
	return s.Archive(ctx, d)
}

// Archive copies a finished deploy into the history namespace.
func (s *Service) Archive(ctx context.Context, d Deploy) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	api := s.History.Client()
	_, err = api.KV.Namespaces.Bulk.Update(ctx, s.History.NamespaceID(), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.History.AccountID()),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("history/" + d.Env + "/" + d.ID),
			Value:      cloudflare.F(string(b)),
			Expiration: cloudflare.F(float64(time.Now().Add(archiveRetention).UnixMilli())), // EXPECT kvttl
			Metadata:   cloudflare.F(map[string]interface{}{"repo": d.Repo, "sha": d.SHA, "status": d.Status}),
		}},
	})
	return err
}

func (s *Service) viewerDelta(id string, d int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.viewers == nil {
		s.viewers = map[string]int64{}
	}
	s.viewers[id] += d
	return s.viewers[id]
}

// Events handles GET /deploys/{id}/events as a server-sent event stream of
// the deploy's status.
func (s *Service) Events(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")

	n := s.viewerDelta(id, 1)
	defer s.viewerDelta(id, -1)
	if err := s.KV.Put(ctx, "deploys/"+id+"/views", []byte(strconv.FormatInt(n, 10)), nil); err != nil { // EXPECT kvcounter
		s.Log.Warn("record viewers", "deploy", id, "err", err)
	}

	t := time.NewTicker(statusPoll)
	defer t.Stop()
	var last string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		raw, err := s.KV.Get(ctx, "deploys/"+id+"/current-step")
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			fmt.Fprintf(w, "event: error\ndata: %q\n\n", err.Error())
			fl.Flush()
			return
		}
		if string(raw) == last {
			continue
		}
		last = string(raw)
		fmt.Fprintf(w, "event: step\ndata: %s\n\n", raw)
		fl.Flush()
	}
}
