set terminal svg size 900,560 dynamic font 'Helvetica,12'
set output 'docs/results/scaling-shakespeare/plots/lr_d192l4.svg'
reset session
set terminal svg size 900,560 dynamic font 'Helvetica,12'
set output 'docs/results/scaling-shakespeare/plots/lr_d192l4.svg'
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
names = 'relu gelu swiglu'
set title 'd192l4: learning-rate sweep (selection seed, 1/4 of the tokens); gaps: diverged'
set xlabel 'peak learning rate'
set ylabel 'final validation loss'
set logscale x
plot for [i=0:2] 'docs/results/scaling-shakespeare/plots/lr_d192l4.dat' index i using 1:2 with linespoints lw 2 pt i+1 lc i+1 title word(names, i+1)
unset output
set terminal pngcairo size 900,560 font 'Helvetica,10'
set output 'docs/results/scaling-shakespeare/plots/lr_d192l4.png'
reset session
set terminal pngcairo size 900,560 font 'Helvetica,10'
set output 'docs/results/scaling-shakespeare/plots/lr_d192l4.png'
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
names = 'relu gelu swiglu'
set title 'd192l4: learning-rate sweep (selection seed, 1/4 of the tokens); gaps: diverged'
set xlabel 'peak learning rate'
set ylabel 'final validation loss'
set logscale x
plot for [i=0:2] 'docs/results/scaling-shakespeare/plots/lr_d192l4.dat' index i using 1:2 with linespoints lw 2 pt i+1 lc i+1 title word(names, i+1)
unset output
