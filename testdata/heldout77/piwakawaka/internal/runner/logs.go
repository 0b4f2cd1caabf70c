// Package runner implements the services runners talk to: log ingestion,
// the Connect stream that hands out jobs, and the queue watch stream.
package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
	"github.com/kereru-ci/piwakawaka/internal/proto"
)

const logRetention = 30 * 24 * time.Hour

// Logs implements proto.LogServiceServer.
type Logs struct {
	Segments *kvstore.Store // LOGS namespace
	Builds   *kvstore.Store // main namespace
}

var _ proto.LogServiceServer = (*Logs)(nil)

type progress struct {
	Step  string    `json:"step"`
	Seq   int64     `json:"seq"`
	Lines int64     `json:"lines"`
	At    time.Time `json:"at"`
}

// Append stores every chunk as its own segment, keyed by build, step and
// sequence number, so the tail endpoint can read segments in order.
func (l *Logs) Append(stream proto.LogService_AppendServer) error {
	ctx := stream.Context()
	head, err := stream.Recv()
	if err != nil {
		return err
	}
	buildID := head.GetBuildId()
	if buildID == "" {
		return errors.New("log stream: first chunk must name the build")
	}
	progressKey := "builds/" + buildID + "/log-progress"
	sum := &proto.AppendSummary{}
	lastSeq := map[string]int64{}

	for chunk := head; chunk != nil; {
		if n := len(chunk.GetLines()); n > 0 {
			segKey := fmt.Sprintf("logs/%s/%s/%08d", buildID, chunk.GetStep(), chunk.GetSeq())
			body := strings.Join(chunk.GetLines(), "\n")
			if err := l.Segments.PutTTL(ctx, segKey, []byte(body), logRetention); err != nil {
				return err
			}
			sum.Chunks++
			sum.Lines += int64(n)
			lastSeq[chunk.GetStep()] = chunk.GetSeq()

			p, _ := json.Marshal(progress{Step: chunk.GetStep(), Seq: chunk.GetSeq(), Lines: sum.Lines, At: time.Now()})
			if err := l.Builds.Put(ctx, progressKey, p, nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if chunk.GetFinal() {
			break
		}
		chunk, err = stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}

	index, err := json.Marshal(lastSeq)
	if err != nil {
		return err
	}
	if err := l.Builds.PutTTL(ctx, "builds/"+buildID+"/log-index", index, logRetention); err != nil {
		return err
	}
	return stream.SendAndClose(sum)
}

// AppendV1 keeps the whole log of a step under one key, the layout runners
// before 2.0 expect when they read their own logs back.
func (l *Logs) AppendV1(stream proto.LogService_AppendServer) error {
	ctx := stream.Context()
	sum := &proto.AppendSummary{}
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		key := "logs/" + chunk.GetBuildId() + "/" + chunk.GetStep()
		prev, err := l.Segments.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		next := string(prev) + strings.Join(chunk.GetLines(), "\n") + "\n"
		if err := l.Segments.PutTTL(ctx, key, []byte(next), logRetention); err != nil { // EXPECT kvrace
			return err
		}
		sum.Chunks++
		sum.Lines += int64(len(chunk.GetLines()))
	}
	return stream.SendAndClose(sum)
}
