package app

import "sync"

// jobs counts a screen's background jobs so tests can wait until none
// runs. Unlike sync.WaitGroup it may be waited on while jobs start from
// UI callbacks (a finished job's update often starts the next one).
type jobs struct {
	mu   sync.Mutex
	n    int
	zero *sync.Cond
}

// Add counts n more jobs.
func (j *jobs) Add(n int) {
	j.mu.Lock()
	j.n += n
	j.mu.Unlock()
}

// Done ends one job.
func (j *jobs) Done() {
	j.mu.Lock()
	j.n--
	if j.n == 0 && j.zero != nil {
		j.zero.Broadcast()
	}
	j.mu.Unlock()
}

// Wait returns when no job runs.
func (j *jobs) Wait() {
	j.mu.Lock()
	if j.zero == nil {
		j.zero = sync.NewCond(&j.mu)
	}
	for j.n > 0 {
		j.zero.Wait()
	}
	j.mu.Unlock()
}
