package main

import (
	"context"
	"errors"
	"time"

	"github.com/postmarkly/kaka/internal/collector"
	"github.com/postmarkly/kaka/internal/service"
)

// kafkaSource is a placeholder for the broker client; the production build
// links the real consumer in its place.
type kafkaSource struct {
	brokers, topic string
}

func newKafkaSource(brokers, topic string) *kafkaSource {
	return &kafkaSource{brokers: brokers, topic: topic}
}

// Next blocks until a batch of delivery events is available.
func (s *kafkaSource) Next(ctx context.Context) (service.MessageBatch, collector.Logs, error) {
	select {
	case <-ctx.Done():
		return nil, collector.Logs{}, ctx.Err()
	case <-time.After(time.Second):
	}
	if s.brokers == "" {
		return nil, collector.Logs{}, errors.New("no brokers configured")
	}
	return nil, collector.Logs{}, nil
}
