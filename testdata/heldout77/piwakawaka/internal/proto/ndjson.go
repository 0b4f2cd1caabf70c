package proto

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// ndjsonStream carries one streaming call over an HTTP/2 request: the request
// body is a sequence of JSON messages, and so is the response body.
type ndjsonStream[In, Out any] struct {
	ctx context.Context
	dec *json.Decoder
	enc *json.Encoder
	fl  http.Flusher
}

func newStream[In, Out any](w http.ResponseWriter, r *http.Request) *ndjsonStream[In, Out] {
	w.Header().Set("Content-Type", "application/x-ndjson")
	fl, _ := w.(http.Flusher)
	return &ndjsonStream[In, Out]{ctx: r.Context(), dec: json.NewDecoder(r.Body), enc: json.NewEncoder(w), fl: fl}
}

func (s *ndjsonStream[In, Out]) Context() context.Context { return s.ctx }

func (s *ndjsonStream[In, Out]) Recv() (*In, error) {
	m := new(In)
	if err := s.dec.Decode(m); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, io.EOF
		}
		return nil, err
	}
	return m, nil
}

func (s *ndjsonStream[In, Out]) Send(m *Out) error {
	if err := s.enc.Encode(m); err != nil {
		return err
	}
	if s.fl != nil {
		s.fl.Flush()
	}
	return nil
}

func (s *ndjsonStream[In, Out]) SendAndClose(m *Out) error { return s.Send(m) }

// LogServiceServer is implemented by the log ingestion service.
type LogServiceServer interface {
	Append(LogService_AppendServer) error
	// AppendV1 serves runners older than 2.0, which send whole-step logs.
	AppendV1(LogService_AppendServer) error
}

// RunnerServiceServer is implemented by the runner coordination service.
type RunnerServiceServer interface {
	Connect(RunnerService_ConnectServer) error
}

// QueueServiceServer is implemented by the queue service.
type QueueServiceServer interface {
	Watch(*WatchRequest, QueueService_WatchServer) error
}

// Register mounts the three services on mux.
func Register(mux *http.ServeMux, logs LogServiceServer, runners RunnerServiceServer, queue QueueServiceServer) {
	mux.HandleFunc("POST /rpc/LogService/Append", func(w http.ResponseWriter, r *http.Request) {
		if err := logs.Append(newStream[LogChunk, AppendSummary](w, r)); err != nil {
			writeStatus(w, err)
		}
	})
	mux.HandleFunc("POST /rpc/v1/LogService/Append", func(w http.ResponseWriter, r *http.Request) {
		if err := logs.AppendV1(newStream[LogChunk, AppendSummary](w, r)); err != nil {
			writeStatus(w, err)
		}
	})
	mux.HandleFunc("POST /rpc/RunnerService/Connect", func(w http.ResponseWriter, r *http.Request) {
		if err := runners.Connect(newStream[RunnerMessage, ServerMessage](w, r)); err != nil {
			writeStatus(w, err)
		}
	})
	mux.HandleFunc("POST /rpc/QueueService/Watch", func(w http.ResponseWriter, r *http.Request) {
		var req WatchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := queue.Watch(&req, newStream[struct{}, QueueEvent](w, r)); err != nil {
			writeStatus(w, err)
		}
	})
}

func writeStatus(w http.ResponseWriter, err error) {
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
