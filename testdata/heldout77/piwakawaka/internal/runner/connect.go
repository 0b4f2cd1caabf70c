package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
	"github.com/kereru-ci/piwakawaka/internal/proto"
)

const (
	registrationTTL = 24 * time.Hour
	claimTTL        = 15 * time.Minute
	offerTimeout    = 30 * time.Second
	resultRetention = 30 * 24 * time.Hour
)

// Coordinator implements proto.RunnerServiceServer.
type Coordinator struct {
	KV  *kvstore.Store
	Log *slog.Logger
}

var _ proto.RunnerServiceServer = (*Coordinator)(nil)

type registration struct {
	Pool        string    `json:"pool"`
	Labels      []string  `json:"labels"`
	ConnectedAt time.Time `json:"connected_at"`
}

// Connect serves one runner for as long as its stream stays open. The first
// message identifies the runner; after that the runner sends heartbeats,
// claims and results, and the server answers claims with assignments.
func (c *Coordinator) Connect(stream proto.RunnerService_ConnectServer) error {
	ctx := stream.Context()
	hello, err := stream.Recv()
	if err != nil {
		return err
	}
	runnerID, pool := hello.GetRunnerId(), hello.GetPool()
	if runnerID == "" || pool == "" {
		return errors.New("connect: runner must send its id and pool first")
	}
	reg, _ := json.Marshal(registration{Pool: pool, Labels: hello.Labels, ConnectedAt: time.Now().UTC()})
	if err := c.KV.PutTTL(ctx, "runners/"+runnerID+"/registration", reg, registrationTTL); err != nil {
		return err
	}

	hbKey := "runners/" + runnerID + "/heartbeat"
	failures := 0
	defer func() {
		if failures == 0 {
			return
		}
		key := fmt.Sprintf("runners/%s/failure-count", runnerID)
		if err := c.KV.Put(context.WithoutCancel(ctx), key, []byte(strconv.Itoa(failures)), nil); err != nil { // EXPECT kvcounter
			c.Log.Warn("record runner failures", "runner", runnerID, "err", err)
		}
	}()

	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case msg.GetHeartbeat() != nil:
			hb := msg.GetHeartbeat()
			every := time.Duration(hb.GetIntervalSeconds()) * time.Second
			lease := max(3*every, 10*time.Second) // EXPECT kvttl
			b, _ := json.Marshal(hb)
			if err := c.KV.PutTTL(ctx, hbKey, b, lease); err != nil { // EXPECT kvhotkey
				return err
			}
		case msg.GetClaim() != nil:
			reply, err := c.claim(ctx, pool, runnerID, msg.GetClaim().GetJobId())
			if err != nil {
				return err
			}
			if err := stream.Send(reply); err != nil {
				return err
			}
		case msg.GetResult() != nil:
			res := msg.GetResult()
			if res.GetStatus() == "failed" {
				failures++
			}
			if err := c.finish(ctx, pool, res); err != nil {
				return err
			}
			if err := stream.Send(&proto.ServerMessage{Ack: true}); err != nil {
				return err
			}
		}
	}
}

func (c *Coordinator) claim(ctx context.Context, pool, runnerID, jobID string) (*proto.ServerMessage, error) {
	claimKey := fmt.Sprintf("queue/%s/claims/%s", pool, jobID)
	if _, err := c.KV.Get(ctx, claimKey); err == nil {
		return &proto.ServerMessage{Reject: "job already claimed"}, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if err := c.KV.PutTTL(ctx, claimKey, []byte(runnerID), claimTTL); err != nil { // EXPECT kvrace
		return nil, err
	}

	spec, err := c.KV.Get(ctx, "jobs/"+jobID+"/spec")
	if errors.Is(err, kvstore.ErrNotFound) {
		return &proto.ServerMessage{Reject: "job expired"}, nil
	}
	if err != nil {
		return nil, err
	}
	offer, _ := json.Marshal(map[string]any{"runner": runnerID, "offered_at": time.Now().UTC()})
	if err := c.KV.PutTTL(ctx, "queue/"+pool+"/offers/"+jobID, offer, offerTimeout); err != nil { // EXPECT kvttl
		return nil, err
	}
	return &proto.ServerMessage{Assign: &proto.Assignment{JobId: jobID, Spec: spec}}, nil
}

func (c *Coordinator) finish(ctx context.Context, pool string, res *proto.JobResult) error {
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	if err := c.KV.PutTTL(ctx, "jobs/"+res.GetJobId()+"/result", b, resultRetention); err != nil {
		return err
	}
	if err := c.KV.Delete(ctx, fmt.Sprintf("queue/%s/claims/%s", pool, res.GetJobId())); err != nil {
		return err
	}
	return c.KV.Delete(ctx, "queue/"+pool+"/jobs/"+res.GetJobId())
}
