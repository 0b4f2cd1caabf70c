// Package breakglass handles emergency access: an engineer asks for time-boxed
// admin access to a production tool, two approvers confirm, and the grant
// lapses on its own.
package breakglass

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"matuku/internal/kvstore"
)

// Status of a request.
type Status string

const (
	Waiting Status = "waiting"
	Active  Status = "active"
	Expired Status = "expired"
)

// Request is one emergency access request.
type Request struct {
	ID        string    `json:"id"`
	Requester string    `json:"requester"`
	Resource  string    `json:"resource"`
	Reason    string    `json:"reason"`
	Status    Status    `json:"status"`
	Approvers []string  `json:"approvers"`
	CreatedAt time.Time `json:"created_at"`
	GrantedAt time.Time `json:"granted_at,omitzero"`
	Until     time.Time `json:"until,omitzero"`
}

// ResourcePolicy says how a resource may be broken into.
type ResourcePolicy struct {
	Resource          string   `json:"resource"`
	RequiredApprovals int      `json:"required_approvals"`
	MaxMinutes        int      `json:"max_minutes"`
	Approvers         []string `json:"approvers"`
	MonthlyLimit      int      `json:"monthly_limit"`
}

var defaultPolicy = ResourcePolicy{RequiredApprovals: 2, MaxMinutes: 60, MonthlyLimit: 3}

// Service implements the break-glass workflow.
type Service struct {
	KV  *kvstore.Store
	Log *slog.Logger
}

// Errors returned to the API layer.
var (
	ErrInProgress = errors.New("breakglass: an emergency grant is already open for this resource")
	ErrQuota      = errors.New("breakglass: monthly limit reached")
	ErrNotAllowed = errors.New("breakglass: not an approver for this resource")
)

func reqKey(id string) string { return "breakglass:req:" + id }
func lockKey(res string) string {
	return "breakglass:lock:" + res
}

func endOfMonth(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// policyFor returns the resource's policy, seeding the default the first time a
// resource is used.
func (s *Service) policyFor(ctx context.Context, resource string) (ResourcePolicy, error) {
	key := "breakglass:policy:" + resource
	raw, err := s.KV.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		p := defaultPolicy
		p.Resource = resource
		b, _ := json.Marshal(p)
		return p, s.KV.Put(ctx, key, b, 0)
	}
	var p ResourcePolicy
	err = json.Unmarshal(raw, &p)
	return p, err
}

type monthlyUse struct {
	Month string   `json:"month"`
	Used  int      `json:"used"`
	IDs   []string `json:"ids"`
}

// charge counts a request against the requester's monthly break-glass limit.
func (s *Service) charge(ctx context.Context, user, id string, limit int) error {
	now := time.Now().UTC()
	month := now.Format("2006-01")
	key := fmt.Sprintf("quota:breakglass:%s:%s", user, month)
	use := monthlyUse{Month: month}
	raw, err := s.KV.Get(ctx, key)
	if err == nil {
		if err := json.Unmarshal(raw, &use); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if use.Used >= limit {
		return ErrQuota
	}
	use.Used++
	use.IDs = append(use.IDs, id)
	b, _ := json.Marshal(use)
	return s.KV.PutUntil(ctx, key, b, endOfMonth(now).Add(24*time.Hour), nil) // EXPECT kvcounter|kvrace
}

// Open files a new request. Only one request per resource may be open.
func (s *Service) Open(ctx context.Context, requester, resource, reason string) (*Request, error) {
	pol, err := s.policyFor(ctx, resource)
	if err != nil {
		return nil, err
	}
	if _, err := s.KV.Get(ctx, lockKey(resource)); err == nil {
		return nil, ErrInProgress
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	r := &Request{ID: rand.Text(), Requester: requester, Resource: resource, Reason: reason,
		Status: Waiting, CreatedAt: time.Now().UTC()}
	if err := s.KV.Put(ctx, lockKey(resource), []byte(r.ID), 2*time.Hour); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := s.charge(ctx, requester, r.ID, pol.MonthlyLimit); err != nil {
		_ = s.KV.Delete(ctx, lockKey(resource))
		return nil, err
	}
	b, _ := json.Marshal(r)
	meta := map[string]any{"status": r.Status, "resource": resource}
	if err := s.KV.PutUntil(ctx, reqKey(r.ID), b, r.CreatedAt.Add(24*time.Hour), meta); err != nil {
		return nil, err
	}
	return r, nil
}

// Confirmation is the one-tap challenge pushed to an approver's phone.
type Confirmation struct {
	Nonce     string `json:"nonce"`
	RequestID string `json:"request_id"`
	Approver  string `json:"approver"`
}

// Challenge creates the push confirmation an approver must tap.
func (s *Service) Challenge(ctx context.Context, requestID, approver string) (*Confirmation, error) {
	c := &Confirmation{Nonce: rand.Text(), RequestID: requestID, Approver: approver}
	b, _ := json.Marshal(c)
	if err := s.KV.PutUntil(ctx, "breakglass:confirm:"+c.Nonce, b, time.Now().Add(30*time.Second), nil); err != nil { // EXPECT kvttl
		return nil, err
	}
	return c, nil
}

// Approve records approver's confirmation and activates the grant once
// enough approvers have confirmed.
func (s *Service) Approve(ctx context.Context, id, approver string) (*Request, error) {
	raw, err := s.KV.Get(ctx, reqKey(id))
	if err != nil {
		return nil, err
	}
	var r Request
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	pol, err := s.policyFor(ctx, r.Resource)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(pol.Approvers, approver) || approver == r.Requester {
		return nil, ErrNotAllowed
	}
	if !slices.Contains(r.Approvers, approver) {
		r.Approvers = append(r.Approvers, approver)
	}
	if len(r.Approvers) >= pol.RequiredApprovals && r.Status == Waiting {
		r.Status = Active
		r.GrantedAt = time.Now().UTC()
		r.Until = r.GrantedAt.Add(time.Duration(pol.MaxMinutes) * time.Minute)
	}
	b, _ := json.Marshal(r)
	meta := map[string]any{"status": r.Status, "resource": r.Resource}
	if err := s.KV.PutUntil(ctx, reqKey(id), b, r.CreatedAt.Add(24*time.Hour), meta); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &r, nil
}

// Sweep runs from the gateway's minute cron: it expires lapsed grants and
// publishes the list of active ones for the check path.
func (s *Service) Sweep(ctx context.Context) error {
	now := time.Now()
	var lapsed, active []string
	it := s.KV.Keys(ctx, "breakglass:req:", 1000) // EXPECT kvlist
	for it.Next() {
		k := it.Current()
		meta, _ := k.Metadata.(map[string]any)
		switch meta["status"] {
		case string(Active):
			active = append(active, k.Name)
		case string(Expired):
			lapsed = append(lapsed, k.Name)
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	if err := s.KV.BulkDelete(ctx, lapsed); err != nil {
		return err
	}

	for i := range active {
		b, _ := json.Marshal(active[:i+1])
		if err := s.KV.Put(ctx, "breakglass:active", b, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	stamp := []byte(now.UTC().Format(time.RFC3339))
	return s.KV.Put(ctx, "breakglass:sweep:last", stamp, 0)
}

// Notify leaves one inbox entry per approver for the mobile app to pick up.
func (s *Service) Notify(ctx context.Context, r *Request, approvers []string) error {
	var errs []error
	for _, a := range approvers {
		b, _ := json.Marshal(map[string]string{"request": r.ID, "resource": r.Resource, "from": r.Requester})
		errs = append(errs, s.KV.Put(ctx, "breakglass:inbox:"+a+":"+r.ID, b, 24*time.Hour))
	}
	return errors.Join(errs...)
}
