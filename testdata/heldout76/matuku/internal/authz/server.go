package authz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"matuku/internal/kvstore"
	"matuku/internal/policy"
	"matuku/internal/tokens"
)

// Server answers ext_authz Check calls. It sits in front of the policy
// evaluator with a decision cache in KV so that repeated requests for the same
// route by the same user do not recompile policies.
type Server struct {
	KV       *kvstore.Store
	Tokens   *tokens.Service
	Policies *policy.Evaluator
	Log      *slog.Logger

	mu   sync.Mutex
	hits map[string]int // decisions per upstream host since start
}

var _ AuthorizationServer = (*Server)(nil)

func decisionKey(version int, in policy.Input) string {
	h := sha256.Sum256([]byte(in.Method + " " + in.Host + in.Path))
	return fmt.Sprintf("dec:v%d:%s:%s", version, in.Subject, hex.EncodeToString(h[:12]))
}

// Check implements AuthorizationServer.
func (s *Server) Check(ctx context.Context, req *CheckRequest) (*CheckResponse, error) {
	h := req.GetAttributes().GetRequest().GetHTTP()
	if h == nil {
		return denied(CodePermissionDenied, http.StatusForbidden, "malformed check request"), nil
	}
	raw, ok := strings.CutPrefix(h.Header("authorization"), "Bearer ")
	if !ok || raw == "" {
		return denied(CodeUnauthenticated, http.StatusUnauthorized, "missing bearer token"), nil
	}
	rec, err := s.Tokens.Lookup(ctx, tokens.Access, raw)
	if errors.Is(err, tokens.ErrUnknown) {
		return denied(CodeUnauthenticated, http.StatusUnauthorized, "invalid token"), nil
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if !rec.Active(now) {
		return denied(CodeUnauthenticated, http.StatusUnauthorized, "token expired"), nil
	}
	if revoked, err := s.Tokens.IsRevoked(ctx, rec.JTI); err != nil {
		return nil, err
	} else if revoked {
		return denied(CodeUnauthenticated, http.StatusUnauthorized, "token revoked"), nil
	}

	in := policy.Input{
		Subject: rec.Subject,
		Method:  h.Method,
		Host:    h.Host,
		Path:    h.Path,
		MFA:     strings.Contains(rec.Scope, "mfa"),
	}
	d, err := s.decide(ctx, rec, in)
	if err != nil {
		return nil, err
	}
	s.count(h.Host)
	if d.Effect != policy.Allow {
		s.noteDenial(ctx, in, d, req.GetAttributes().GetSource().GetAddress())
		return denied(CodePermissionDenied, http.StatusForbidden, d.Reason), nil
	}
	if rec.DeviceID != "" {
		go s.touchDevice(context.WithoutCancel(ctx), rec.DeviceID)
	}
	return &CheckResponse{
		Status: Status{Code: CodeOK},
		OkResponse: &OkHTTPResponse{
			Headers: []HeaderValueOption{
				{Key: "x-auth-subject", Value: rec.Subject},
				{Key: "x-auth-client", Value: rec.ClientID},
				{Key: "x-auth-policy-version", Value: strconv.Itoa(d.Version)},
			},
			HeadersToRemove: []string{"authorization"},
		},
		DynamicMetadata: map[string]any{"sub": rec.Subject, "reason": d.Reason},
	}, nil
}

// decide consults the decision cache, then the evaluator.
func (s *Server) decide(ctx context.Context, rec *tokens.Record, in policy.Input) (policy.Decision, error) {
	version, err := s.Policies.Version(ctx)
	if err != nil {
		return policy.Decision{}, err
	}
	key := decisionKey(version, in)
	if raw, err := s.KV.Get(ctx, key); err == nil {
		var d policy.Decision
		if json.Unmarshal(raw, &d) == nil {
			return d, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		s.Log.Warn("decision cache read failed", "err", err)
	}

	p, err := s.Policies.Load(ctx, in.Subject)
	if err != nil {
		return policy.Decision{}, err
	}
	d := policy.Evaluate(p, in)
	b, _ := json.Marshal(d)
	if d.Effect == policy.Deny {
		// Negative entries are short-lived so that a fixed policy takes effect quickly.
		err = s.KV.PutCache(ctx, key, b, 30*time.Second)
	} else {
		// Never cache an allow past the lifetime of the token that earned it.
		err = s.KV.Put(ctx, key, b, min(time.Duration(d.MaxAge)*time.Second, time.Until(rec.ExpiresAt))) // EXPECT kvttl
	}
	if err != nil {
		s.Log.Warn("decision cache write failed", "key", key, "err", err)
	}
	return d, nil
}

// noteDenial records the most recent denial for the on-call dashboard.
func (s *Server) noteDenial(ctx context.Context, in policy.Input, d policy.Decision, addr string) {
	b, _ := json.Marshal(map[string]any{
		"sub": in.Subject, "host": in.Host, "path": in.Path, "reason": d.Reason,
		"addr": addr, "at": time.Now().UTC(),
	})
	if err := s.KV.Put(ctx, "authz:last-denial", b, 24*time.Hour); err != nil { // EXPECT kvhotkey
		s.Log.Warn("record denial", "err", err)
	}
}

type deviceInfo struct {
	ID       string    `json:"id"`
	LastSeen time.Time `json:"last_seen"`
	LastHost string    `json:"last_host,omitempty"`
}

// touchDevice records when a device last made an authorised request; the
// device inventory page shows it. Runs after the response has been sent.
func (s *Server) touchDevice(ctx context.Context, id string) {
	err := s.KV.Mutate(ctx, "device:"+id, 30*24*time.Hour, func(old []byte) ([]byte, error) {
		d := deviceInfo{ID: id}
		if old != nil {
			_ = json.Unmarshal(old, &d)
		}
		d.LastSeen = time.Now().UTC()
		return json.Marshal(d)
	})
	if err != nil {
		s.Log.Warn("touch device", "device", id, "err", err)
	}
}

func (s *Server) count(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hits == nil {
		s.hits = make(map[string]int)
	}
	s.hits[host]++
}

// FlushStats publishes per-host decision totals for the usage report. It is
// called once a minute by the gateway.
func (s *Server) FlushStats(ctx context.Context) error {
	s.mu.Lock()
	snapshot := make(map[string]int, len(s.hits))
	for h, n := range s.hits {
		snapshot[h] = n
	}
	s.mu.Unlock()
	var errs []error
	for host, n := range snapshot {
		key := "stats:decisions:" + host
		if err := s.KV.Put(ctx, key, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// HTTPBridge exposes Check as JSON over HTTP for sidecars that cannot speak
// gRPC.
func HTTPBridge(srv AuthorizationServer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req CheckRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
			http.Error(w, "bad check request", http.StatusBadRequest)
			return
		}
		resp, err := srv.Check(r.Context(), &req)
		if err != nil {
			resp = &CheckResponse{Status: Status{Code: CodeUnavailable, Message: "authorization backend unavailable"}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
}
