// Command haven is Haven's one binary: the server and its admin commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"github.com/havenrescue/haven/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// HAVEN_CPUPROFILE=FILE: a SIGUSR1 starts a CPU profile (for `go tool
	// pprof`), a second one writes it to FILE, as does the end of the
	// command (also on SIGTERM). The intake benchmark (BENCHMARKS.md) sends
	// the signal once the server is ready and again when the load ends, so
	// the profile holds the load, not the start-up or the shutdown.
	if path := os.Getenv("HAVEN_CPUPROFILE"); path != "" {
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		go func() {
			<-usr1
			f, err := os.Create(path)
			if err == nil {
				err = pprof.StartCPUProfile(f)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "haven: HAVEN_CPUPROFILE:", err)
				return
			}
			<-usr1
			pprof.StopCPUProfile()
			f.Close()
		}()
		defer pprof.StopCPUProfile()
	}
	// HAVEN_HEAPPROFILE=FILE: each SIGUSR2 writes the live heap, after a
	// collection, to FILE (what the server holds, for `go tool pprof`).
	if path := os.Getenv("HAVEN_HEAPPROFILE"); path != "" {
		usr2 := make(chan os.Signal, 1)
		signal.Notify(usr2, syscall.SIGUSR2)
		go func() {
			for range usr2 {
				runtime.GC()
				f, err := os.Create(path)
				if err == nil {
					err = errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
				}
				if err != nil {
					fmt.Fprintln(os.Stderr, "haven: HAVEN_HEAPPROFILE:", err)
				}
			}
		}()
	}
	if err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "haven:", err)
		pprof.StopCPUProfile()
		os.Exit(app.ExitCode(err))
	}
}
