package diag

import (
	"fmt"
	"sync"
)

// InBackground runs work in a goroutine and delivers its error. main cannot
// recover a panic in another goroutine: it becomes an error here, naming
// what panicked (a bug all the same, reported as one instead of a
// goroutine dump).
func InBackground(what string, work func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- safely(what, work) }()
	return done
}

// Each calls work(i) for every i below n, on at most workers goroutines at
// a time (at least one), and returns each call's error by index. A panic in
// work(i) becomes its error, with what(i) naming what was being done: in a
// goroutine of its own it would end the process with a goroutine dump.
func Each(n, workers int, what func(i int) string, work func(i int) error) []error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = safely(what(i), func() error { return work(i) })
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// safely is work, with a panic made an error naming what.
func safely(what string, work func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: internal error (a bug; please report it with the input): %v", what, r)
		}
	}()
	return work()
}
