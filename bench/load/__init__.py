"""Parts of the load benchmark (bench/load_benchmark.py): request mix, processes, results."""
