package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/experiments"
	"github.com/redshank-labs/redshank/internal/kvstore"
)

// exposureRecentWindow is how long the edge may skip re-sending an
// exposure it already reported for a unit.
const exposureRecentWindow = 45 * time.Second

// recentPageSize is the page size of ListExposures; the console shows the
// latest few and pages on demand.
const recentPageSize = 5

// Server implements AssignmentsServer.
type Server struct {
	exps    *kvstore.Namespace
	sess    *kvstore.Namespace
	metrics *kvstore.Namespace
	cfg     *config.Config
	log     *slog.Logger
}

func NewServer(exps, sess, metrics *kvstore.Namespace, cfg *config.Config, log *slog.Logger) *Server {
	return &Server{exps: exps, sess: sess, metrics: metrics, cfg: cfg, log: log}
}

// NewGRPCServer builds the gRPC server with the interceptor chain and the
// Assignments service registered.
func NewGRPCServer(s *Server) *grpc.Server {
	g := grpc.NewServer(grpc.ChainUnaryInterceptor(
		authInterceptor(s.sess, s.cfg.Sessions),
		quotaInterceptor(s.metrics, s.cfg.Quota, s.log),
		idempotencyInterceptor(s.metrics, s.cfg.Assign),
	))
	RegisterAssignmentsServer(g, s)
	return g
}

func (s *Server) experiment(ctx context.Context, id string) (*experiments.Experiment, error) {
	var e experiments.Experiment
	if err := s.exps.GetJSON(ctx, experiments.ExperimentKey(id), &e); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, status.Errorf(codes.NotFound, "experiment %q not found", id)
		}
		return nil, status.Errorf(codes.Unavailable, "loading experiment: %v", err)
	}
	if e.Tenant != principalFrom(ctx).Tenant {
		return nil, status.Errorf(codes.NotFound, "experiment %q not found", id)
	}
	return &e, nil
}

func (s *Server) Assign(ctx context.Context, req *AssignRequest) (*AssignResponse, error) {
	if req.GetUnitId() == "" {
		return nil, status.Error(codes.InvalidArgument, "unit_id is required")
	}
	e, err := s.experiment(ctx, req.GetExperimentId())
	if err != nil {
		return nil, err
	}
	if !e.Live(time.Now()) {
		return &AssignResponse{Variant: e.Variants[0].Name}, nil
	}

	stickyKey := experiments.StickyKey(e.ID, req.GetUnitId())
	if raw, ok, err := s.exps.Lookup(ctx, stickyKey); err != nil {
		s.log.Warn("sticky lookup failed, assigning by hash", "err", err)
	} else if ok {
		return &AssignResponse{Variant: string(raw), Sticky: true}, nil
	}
	v, ok := e.Assign(req.GetUnitId())
	if !ok {
		return nil, status.Error(codes.FailedPrecondition, "experiment weights do not cover all buckets")
	}
	if err := s.exps.PutTTL(ctx, stickyKey, []byte(v.Name), s.cfg.Assign.StickyTTL); err != nil {
		s.log.Warn("storing sticky assignment", "err", err)
	}
	stamp := fmt.Sprintf(`{"experiment":%q,"at":%d}`, e.ID, time.Now().Unix())
	if err := s.metrics.Put(ctx, "stats:last-assign", []byte(stamp)); err != nil { // EXPECT kvhotkey
		s.log.Debug("stats", "err", err)
	}
	return &AssignResponse{Variant: v.Name}, nil
}

func (s *Server) RecordExposure(ctx context.Context, req *ExposureRequest) (*ExposureResponse, error) {
	e, err := s.experiment(ctx, req.GetExperimentId())
	if err != nil {
		return nil, err
	}
	at := time.Unix(req.AtUnix, 0).UTC()
	if req.AtUnix == 0 {
		at = time.Now().UTC()
	}
	ev := experiments.ExposureEvent{ExperimentID: e.ID, Variant: req.Variant, UnitID: req.UnitId, At: at}
	logKey := fmt.Sprintf("exposure-log:%s:%s:%d", e.ID, ev.UnitID, at.UnixNano())
	if err := s.metrics.PutJSON(ctx, logKey, ev, s.cfg.Assign.ExposureLogTTL); err != nil {
		return nil, status.Errorf(codes.Unavailable, "recording exposure: %v", err)
	}

	recentKey := "exposure-recent:" + e.ID + ":" + ev.UnitID
	if err := s.metrics.PutTTL(ctx, recentKey, []byte(ev.Variant), exposureRecentWindow); err != nil { // EXPECT kvttl
		s.log.Debug("recent exposure hint", "err", err)
	}
	todayKey := "exposed-today:" + e.ID + ":" + ev.UnitID
	if err := s.metrics.PutUntil(ctx, todayKey, []byte(ev.Variant), experiments.EndOfDay(time.Now())); err != nil { // DEBATABLE kvttl
		s.log.Debug("daily exposure marker", "err", err)
	}
	return &ExposureResponse{Accepted: true}, nil
}

func (s *Server) ListExposures(ctx context.Context, req *ListExposuresRequest) (*ListExposuresResponse, error) {
	e, err := s.experiment(ctx, req.ExperimentId)
	if err != nil {
		return nil, err
	}
	prefix := "exposure-log:" + e.ID + ":"
	keys, next, err := s.metrics.ListPage(ctx, prefix, req.GetPageToken(), recentPageSize) // EXPECT kvlimits
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "listing exposures: %v", err)
	}
	resp := &ListExposuresResponse{NextPageToken: next}
	for _, k := range keys {
		resp.Keys = append(resp.Keys, strings.TrimPrefix(k.Name, prefix))
	}
	return resp, nil
}
