set terminal svg size 900,560 dynamic font 'Helvetica,12'
set output 'docs/results/scaling-shakespeare/plots/gap_own.svg'
reset session
set terminal svg size 900,560 dynamic font 'Helvetica,12'
set output 'docs/results/scaling-shakespeare/plots/gap_own.svg'
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'
set linetype 7 lc rgb '#e377c2'
set linetype 8 lc rgb '#7f7f7f'
set linetype 9 lc rgb '#bcbd22'
set linetype 10 lc rgb '#17becf'
set linetype cycle 10
set grid
set key outside right top
set datafile missing 'nan'
set title 'SwiGLU - baseline, final validation loss (own rates): 95% intervals, WLS fit and band'
set xlabel 'non-embedding parameters N'
set ylabel 'gap (nats; < 0: SwiGLU better)'
set logscale x
set style fill transparent solid 0.2 noborder
set xzeroaxis lt -1
plot 'docs/results/scaling-shakespeare/plots/gap_own.dat' index 1 using 1:3:4 with filledcurves lc 1 notitle, '' index 1 using 1:2 with lines lw 2 lc 1 title 'relu fit', '' index 0 using 1:2:3:4 with yerrorbars pt 7 lc 1 title 'relu', '' index 3 using 1:3:4 with filledcurves lc 2 notitle, '' index 3 using 1:2 with lines lw 2 lc 2 title 'gelu fit', '' index 2 using 1:2:3:4 with yerrorbars pt 5 lc 2 title 'gelu'
unset output
set terminal pngcairo size 900,560 font 'Helvetica,10'
set output 'docs/results/scaling-shakespeare/plots/gap_own.png'
reset session
set terminal pngcairo size 900,560 font 'Helvetica,10'
set output 'docs/results/scaling-shakespeare/plots/gap_own.png'
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'
set linetype 7 lc rgb '#e377c2'
set linetype 8 lc rgb '#7f7f7f'
set linetype 9 lc rgb '#bcbd22'
set linetype 10 lc rgb '#17becf'
set linetype cycle 10
set grid
set key outside right top
set datafile missing 'nan'
set title 'SwiGLU - baseline, final validation loss (own rates): 95% intervals, WLS fit and band'
set xlabel 'non-embedding parameters N'
set ylabel 'gap (nats; < 0: SwiGLU better)'
set logscale x
set style fill transparent solid 0.2 noborder
set xzeroaxis lt -1
plot 'docs/results/scaling-shakespeare/plots/gap_own.dat' index 1 using 1:3:4 with filledcurves lc 1 notitle, '' index 1 using 1:2 with lines lw 2 lc 1 title 'relu fit', '' index 0 using 1:2:3:4 with yerrorbars pt 7 lc 1 title 'relu', '' index 3 using 1:3:4 with filledcurves lc 2 notitle, '' index 3 using 1:2 with lines lw 2 lc 2 title 'gelu fit', '' index 2 using 1:2:3:4 with yerrorbars pt 5 lc 2 title 'gelu'
unset output
