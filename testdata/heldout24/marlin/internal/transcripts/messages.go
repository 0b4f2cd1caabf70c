// Package transcripts tracks speech-to-text jobs for episodes. Jobs are
// driven by messages from the transcription queue.
package transcripts

import "time"

// Message is any message on the transcription queue.
type Message interface{ jobID() string }

// JobRequested is sent when a creator asks for a transcript.
type JobRequested struct {
	JobID     string    `json:"job_id"`
	EpisodeID string    `json:"episode_id"`
	Language  string    `json:"language"`
	Chunks    int       `json:"chunks"`
	At        time.Time `json:"at"`
}

// ChunksTranscribed carries the text of a batch of consecutive chunks.
type ChunksTranscribed struct {
	JobID string   `json:"job_id"`
	First int      `json:"first"`
	Texts []string `json:"texts"`
}

// JobFailed reports an unrecoverable error from the transcription worker.
type JobFailed struct {
	JobID  string `json:"job_id"`
	Reason string `json:"reason"`
}

// JobCompleted is sent after the last chunk.
type JobCompleted struct {
	JobID     string `json:"job_id"`
	EpisodeID string `json:"episode_id"`
	Chunks    int    `json:"chunks"`
	Words     int    `json:"words"`
}

func (m *JobRequested) jobID() string      { return m.JobID }
func (m *ChunksTranscribed) jobID() string { return m.JobID }
func (m *JobFailed) jobID() string         { return m.JobID }
func (m *JobCompleted) jobID() string      { return m.JobID }
