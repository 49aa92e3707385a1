// A region that ignores the caller's thread count: openmp_threads.py must reject it.
void Work(int n) {
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
  }
}
