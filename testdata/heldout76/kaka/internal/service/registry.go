package service

import (
	"context"
	"fmt"
	"sync"
)

type (
	ProcessorCtor      func(conf *ParsedConfig, res *Resources) (Processor, error)
	BatchProcessorCtor func(conf *ParsedConfig, res *Resources) (BatchProcessor, error)
	OutputCtor         func(conf *ParsedConfig, res *Resources) (Output, error)
	CacheCtor          func(conf *ParsedConfig, res *Resources) (Cache, error)
	RateLimitCtor      func(conf *ParsedConfig, res *Resources) (RateLimit, error)
)

type entry struct {
	spec *ConfigSpec
	ctor any
}

// Environment holds registered component plugins.
type Environment struct {
	mu         sync.RWMutex
	processors map[string]entry
	outputs    map[string]entry
	caches     map[string]entry
	rateLimits map[string]entry
}

// NewEnvironment returns an empty plugin environment.
func NewEnvironment() *Environment {
	return &Environment{
		processors: map[string]entry{},
		outputs:    map[string]entry{},
		caches:     map[string]entry{},
		rateLimits: map[string]entry{},
	}
}

func (e *Environment) register(m map[string]entry, name string, spec *ConfigSpec, ctor any) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := m[name]; dup {
		return fmt.Errorf("component %q already registered", name)
	}
	m[name] = entry{spec: spec, ctor: ctor}
	return nil
}

func (e *Environment) RegisterProcessor(name string, spec *ConfigSpec, ctor ProcessorCtor) error {
	return e.register(e.processors, name, spec, ctor)
}

func (e *Environment) RegisterBatchProcessor(name string, spec *ConfigSpec, ctor BatchProcessorCtor) error {
	return e.register(e.processors, name, spec, ctor)
}

func (e *Environment) RegisterOutput(name string, spec *ConfigSpec, ctor OutputCtor) error {
	return e.register(e.outputs, name, spec, ctor)
}

func (e *Environment) RegisterCache(name string, spec *ConfigSpec, ctor CacheCtor) error {
	return e.register(e.caches, name, spec, ctor)
}

func (e *Environment) RegisterRateLimit(name string, spec *ConfigSpec, ctor RateLimitCtor) error {
	return e.register(e.rateLimits, name, spec, ctor)
}

func (e *Environment) lookup(m map[string]entry, kind, name string, raw map[string]any) (entry, *ParsedConfig, error) {
	e.mu.RLock()
	en, ok := m[name]
	e.mu.RUnlock()
	if !ok {
		return entry{}, nil, fmt.Errorf("unknown %s %q", kind, name)
	}
	pc, err := en.spec.ParseMap(raw)
	if err != nil {
		return entry{}, nil, fmt.Errorf("%s %q: %w", kind, name, err)
	}
	return en, pc, nil
}

// NewBatchProcessor builds a processor by name. Single-message processors
// are lifted into batch processors.
func (e *Environment) NewBatchProcessor(name string, raw map[string]any, res *Resources) (BatchProcessor, error) {
	en, pc, err := e.lookup(e.processors, "processor", name, raw)
	if err != nil {
		return nil, err
	}
	switch c := en.ctor.(type) {
	case BatchProcessorCtor:
		return c(pc, res)
	case ProcessorCtor:
		p, err := c(pc, res)
		if err != nil {
			return nil, err
		}
		return liftProcessor{p}, nil
	}
	return nil, fmt.Errorf("processor %q: bad constructor", name)
}

func (e *Environment) NewOutput(name string, raw map[string]any, res *Resources) (Output, error) {
	en, pc, err := e.lookup(e.outputs, "output", name, raw)
	if err != nil {
		return nil, err
	}
	return en.ctor.(OutputCtor)(pc, res)
}

func (e *Environment) NewCache(name string, raw map[string]any, res *Resources) (Cache, error) {
	en, pc, err := e.lookup(e.caches, "cache", name, raw)
	if err != nil {
		return nil, err
	}
	return en.ctor.(CacheCtor)(pc, res)
}

func (e *Environment) NewRateLimit(name string, raw map[string]any, res *Resources) (RateLimit, error) {
	en, pc, err := e.lookup(e.rateLimits, "rate_limit", name, raw)
	if err != nil {
		return nil, err
	}
	return en.ctor.(RateLimitCtor)(pc, res)
}

type liftProcessor struct{ p Processor }

func (l liftProcessor) ProcessBatch(ctx context.Context, batch MessageBatch) ([]MessageBatch, error) {
	var out MessageBatch
	for _, m := range batch {
		res, err := l.p.Process(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return []MessageBatch{out}, nil
}

func (l liftProcessor) Close(ctx context.Context) error { return l.p.Close(ctx) }
