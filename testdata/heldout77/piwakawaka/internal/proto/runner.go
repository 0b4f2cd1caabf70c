// Package proto holds the runner protocol messages and the stream interfaces
// of the runner and queue services. The shapes follow what protoc-gen-go and
// protoc-gen-go-grpc emit so the services can move to gRPC later; today the
// streams are carried as newline-delimited JSON over HTTP/2 (see ndjson.go).
package proto

import "context"

// LogChunk is a batch of log lines a runner streams for one build step.
type LogChunk struct {
	BuildId string   `json:"build_id,omitempty"`
	Step    string   `json:"step,omitempty"`
	Seq     int64    `json:"seq,omitempty"`
	Lines   []string `json:"lines,omitempty"`
	Final   bool     `json:"final,omitempty"`
}

func (x *LogChunk) GetBuildId() string {
	if x != nil {
		return x.BuildId
	}
	return ""
}

func (x *LogChunk) GetStep() string {
	if x != nil {
		return x.Step
	}
	return ""
}

func (x *LogChunk) GetSeq() int64 {
	if x != nil {
		return x.Seq
	}
	return 0
}

func (x *LogChunk) GetLines() []string {
	if x != nil {
		return x.Lines
	}
	return nil
}

func (x *LogChunk) GetFinal() bool {
	if x != nil {
		return x.Final
	}
	return false
}

// AppendSummary closes a log upload.
type AppendSummary struct {
	Chunks int64 `json:"chunks"`
	Lines  int64 `json:"lines"`
}

// Heartbeat is sent by a connected runner every IntervalSeconds.
type Heartbeat struct {
	IntervalSeconds int32   `json:"interval_seconds,omitempty"`
	Load            float32 `json:"load,omitempty"`
}

func (x *Heartbeat) GetIntervalSeconds() int32 {
	if x != nil {
		return x.IntervalSeconds
	}
	return 0
}

// Claim asks the server for a queued job.
type Claim struct {
	JobId string `json:"job_id,omitempty"`
}

func (x *Claim) GetJobId() string {
	if x != nil {
		return x.JobId
	}
	return ""
}

// JobResult reports a finished job.
type JobResult struct {
	JobId      string `json:"job_id,omitempty"`
	Status     string `json:"status,omitempty"`
	DurationMs int64  `json:"duration_ms,omitempty"`
}

func (x *JobResult) GetJobId() string {
	if x != nil {
		return x.JobId
	}
	return ""
}

func (x *JobResult) GetStatus() string {
	if x != nil {
		return x.Status
	}
	return ""
}

// RunnerMessage is what a runner sends on its Connect stream. Exactly one of
// Heartbeat, Claim and Result is set, except on the first message, which only
// identifies the runner.
type RunnerMessage struct {
	RunnerId  string     `json:"runner_id,omitempty"`
	Pool      string     `json:"pool,omitempty"`
	Labels    []string   `json:"labels,omitempty"`
	Heartbeat *Heartbeat `json:"heartbeat,omitempty"`
	Claim     *Claim     `json:"claim,omitempty"`
	Result    *JobResult `json:"result,omitempty"`
}

func (x *RunnerMessage) GetRunnerId() string {
	if x != nil {
		return x.RunnerId
	}
	return ""
}

func (x *RunnerMessage) GetPool() string {
	if x != nil {
		return x.Pool
	}
	return ""
}

func (x *RunnerMessage) GetHeartbeat() *Heartbeat {
	if x != nil {
		return x.Heartbeat
	}
	return nil
}

func (x *RunnerMessage) GetClaim() *Claim {
	if x != nil {
		return x.Claim
	}
	return nil
}

func (x *RunnerMessage) GetResult() *JobResult {
	if x != nil {
		return x.Result
	}
	return nil
}

// Assignment hands a claimed job to a runner.
type Assignment struct {
	JobId string `json:"job_id"`
	Spec  []byte `json:"spec"`
}

// ServerMessage is what the server sends on a Connect stream.
type ServerMessage struct {
	Assign *Assignment `json:"assign,omitempty"`
	Reject string      `json:"reject,omitempty"`
	Ack    bool        `json:"ack,omitempty"`
}

// WatchRequest asks for the jobs of a pool.
type WatchRequest struct {
	Pool     string `json:"pool,omitempty"`
	MaxPages int32  `json:"max_pages,omitempty"`
	Cursor   string `json:"cursor,omitempty"`
}

func (x *WatchRequest) GetPool() string {
	if x != nil {
		return x.Pool
	}
	return ""
}

func (x *WatchRequest) GetMaxPages() int32 {
	if x != nil {
		return x.MaxPages
	}
	return 0
}

func (x *WatchRequest) GetCursor() string {
	if x != nil {
		return x.Cursor
	}
	return ""
}

// QueueEvent describes one job of a pool.
type QueueEvent struct {
	JobId  string `json:"job_id"`
	State  string `json:"state"`
	Repo   string `json:"repo,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// LogService_AppendServer is the server side of the client-streaming
// LogService.Append call.
type LogService_AppendServer interface {
	Recv() (*LogChunk, error)
	SendAndClose(*AppendSummary) error
	Context() context.Context
}

// RunnerService_ConnectServer is the server side of the bidirectional
// RunnerService.Connect call.
type RunnerService_ConnectServer interface {
	Recv() (*RunnerMessage, error)
	Send(*ServerMessage) error
	Context() context.Context
}

// QueueService_WatchServer is the server side of the server-streaming
// QueueService.Watch call.
type QueueService_WatchServer interface {
	Send(*QueueEvent) error
	Context() context.Context
}
